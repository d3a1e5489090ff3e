/**
 * `vm create --iso PATH` without `--os`: which OS the medium installs, from its ISO 9660 volume
 * descriptor and osinfo-db's media entries (see src/catalog/osinfo-media.ts). The descriptor is
 * read from the local file, or on a remote host through a ranged download of its storage volume.
 */
import { UnknownMediumError } from '../catalog/errors.js';
import type { OsinfoDb } from '../catalog/osinfo.js';
import {
  matchMedia,
  parseVolumeDescriptor,
  PVD_LENGTH,
  PVD_OFFSET,
  type MediumIdentity,
} from '../catalog/osinfo-media.js';
import type { Libvirt } from '../libvirt/index.js';
import { lookupVolume, readAt, volumeHead } from './option-paths.js';

export interface DetectedOs {
  /** The osinfo-db short id the VM is created for. */
  os: string;
  name: string;
  medium: MediumIdentity;
  /** Why: which of the medium's ids matched which osinfo-db entry, and what else matched. */
  reason: string;
  /** Other OSes the medium matches as well (short ids). */
  alsoMatches: string[];
}

/** The medium's identity; `path` is already checked (absolute locally, a volume path remotely). */
export async function readMediumIdentity(path: string, lv?: Libvirt): Promise<MediumIdentity | undefined> {
  if (!lv) return parseVolumeDescriptor(readAt(path, PVD_OFFSET, PVD_LENGTH));
  const vol = await lookupVolume(lv, path);
  return vol ? parseVolumeDescriptor(await volumeHead(vol, PVD_OFFSET, PVD_LENGTH)) : undefined;
}

/** Picks the OS for a medium; a typed `unknown-medium` error when osinfo-db knows none. */
export function identifyOs(db: OsinfoDb, path: string, medium: MediumIdentity | undefined): DetectedOs {
  if (!medium) throw new UnknownMediumError(path, undefined);
  const matches = matchMedia(db.mediaRules(), medium);
  const best = matches[0];
  if (!best) throw new UnknownMediumError(path, medium.volumeId);
  const others = matches.slice(1).map((m) => m.rule);
  const alsoMatches = others.map((r) => r.shortId);
  let reason = `${path}: ${best.matched.join(', ')} (osinfo-db's ${best.rule.osName} media)`;
  if (best.rule.fallback)
    reason += `; no released OS in osinfo-db matches, so this rolling or pre-release entry does`;
  if (others.length > 0)
    reason += `; it matches ${others.map((r) => `${r.osName} (${r.shortId})`).join(', ')} as well, whose media carry the same ids: picked the newest release; give --os ${others[0]?.shortId} if it is that one`;
  return { os: best.rule.shortId, name: best.rule.osName, medium, reason, alsoMatches };
}
