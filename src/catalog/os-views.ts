import { resolveGuestOs, type GuestOs } from './guest-os.js';
import { OsinfoDb, type OsinfoOs } from './osinfo.js';
import type { Profile } from './profile.js';
import { PROFILES } from './profiles.js';

/** What `phyllo os list --json` prints and `GET /api/os` answers. */
export interface OsList {
  profiles: { id: string; name: string; family: string; osinfo?: string }[];
  /** With `all`: every osinfo-db short id. */
  osinfo?: { shortId: string; name: string; family: string }[];
}

/** The first-class profiles (and with `all` every osinfo-db id). */
export function listOs(opts: { all?: boolean; db?: OsinfoDb } = {}): OsList {
  const data: OsList = {
    profiles: PROFILES.map((p) => ({
      id: p.id,
      name: p.name,
      family: p.family,
      ...(p.osinfoShortId ? { osinfo: p.osinfoShortId } : {}),
    })),
  };
  if (opts.all === true) data.osinfo = (opts.db ?? new OsinfoDb()).list();
  return data;
}

/** What `phyllo os show ID --json` prints and `GET /api/os/{id}` answers. */
export interface OsShow {
  id: string;
  name: string;
  profile: Profile['id'];
  profileReason: string;
  libosinfoId: string | undefined;
  machine: Profile['machine'];
  firmware: Profile['firmware'];
  secureBoot: Profile['secureBoot'];
  tpm: Profile['tpm'];
  virtioDrivers: Profile['virtioDrivers'];
  virtio: GuestOs['virtio'];
  virtioReason: string;
  minimum: GuestOs['minimum'];
  recommended: GuestOs['recommended'];
  resourcesReason: string;
  notes: string[];
  osinfo?: OsinfoOs;
}

/** The profile an id maps to, with osinfo-db's facts (an unknown id: `unknown-os`). */
export function showOs(id: string, db?: OsinfoDb): { data: OsShow; guest: GuestOs } {
  const g = resolveGuestOs(id, db);
  const p = g.profile;
  const data: OsShow = {
    id,
    name: g.name,
    profile: p.id,
    profileReason: g.profileReason,
    libosinfoId: g.libosinfoId,
    machine: p.machine,
    firmware: p.firmware,
    secureBoot: p.secureBoot,
    tpm: p.tpm,
    virtioDrivers: p.virtioDrivers,
    virtio: g.virtio,
    virtioReason: g.virtioReason,
    minimum: g.minimum,
    recommended: g.recommended,
    resourcesReason: g.resourcesReason,
    notes: p.notes,
    ...(g.osinfo ? { osinfo: g.osinfo } : {}),
  };
  return { data, guest: g };
}
