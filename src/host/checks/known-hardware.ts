import { matchCurated, type CuratedEntry } from '../curated.js';
import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';

export function knownHardware(h: HostFacts, curated: CuratedEntry[]): Check {
  const id = 'host.known-hardware';
  const d = h.dmi;
  const name =
    [d.sysVendor, d.productName, d.productVersion].filter(Boolean).join(' ') || 'unknown machine (no DMI)';
  const hit = matchCurated(d, curated);
  if (!hit) return check(id, 'info', `${name}: not on Phyllome's list of known machines`);
  return check(
    id,
    hit.rating === 'bad' ? 'warn' : 'info',
    `${name}: known ${hit.rating === 'good' ? 'to work well' : hit.rating === 'bad' ? 'to work badly' : 'with caveats'} (${hit.id})`,
    hit.notes.join('; '),
  );
}
