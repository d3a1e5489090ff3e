import { matchCurated, type CuratedEntry } from '../curated.js';
import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';

const RATING_WORDS = { good: 'to work well', mixed: 'with caveats', bad: 'to work badly' } as const;

/** What Phyllome's curated list says about this machine, and the public pages it comes from. */
export function knownHardware(h: HostFacts, curated: CuratedEntry[]): Check {
  const id = 'host.known-hardware';
  const d = h.dmi;
  const name =
    [d.sysVendor, d.productName, d.productVersion].filter(Boolean).join(' ') || 'unknown machine (no DMI)';
  const hit = matchCurated(d, curated);
  if (!hit) return check(id, 'info', `${name}: not on Phyllome's list of known machines`);
  const detail = [...hit.notes, ...hit.sources.map((s) => `Source: ${s.title} <${s.url}>`)].join('\n');
  return {
    ...check(
      id,
      hit.rating === 'bad' ? 'warn' : 'info',
      `${name}: known ${RATING_WORDS[hit.rating]} (${hit.id})`,
      detail,
    ),
    sources: hit.sources,
  };
}
