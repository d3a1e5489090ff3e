// The OS picker's choices and the model's decisions as the wizard shows them.
import type { Decision, OsinfoEntry, OsList, OsProfile } from '../api/types';

/** One choice of the OS picker: a first-class profile, or an osinfo-db entry (mapped to its profile). */
export interface OsChoice {
  id: string;
  name: string;
  family: string;
  kind: 'profile' | 'osinfo';
}

const fromProfile = (p: OsProfile): OsChoice => ({
  id: p.id,
  name: p.name,
  family: p.family,
  kind: 'profile',
});
const fromOsinfo = (o: OsinfoEntry): OsChoice => ({
  id: o.shortId,
  name: o.name,
  family: o.family,
  kind: 'osinfo',
});

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** Whether every word of the query is in the choice's id or name. */
function matches(c: OsChoice, words: string[]): boolean {
  const hay = `${c.id} ${c.name}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * The choices for a search: every profile when the query is empty; else the profiles and osinfo-db
 * entries whose id or name holds every word, profiles first, exact id matches first, at most `limit`
 * osinfo entries (the rest counted in `more`).
 */
export function searchOs(
  list: OsList | undefined,
  query: string,
  limit = 30,
): { profiles: OsChoice[]; osinfo: OsChoice[]; more: number } {
  const profiles = (list?.profiles ?? []).map(fromProfile);
  const q = norm(query);
  if (!q) return { profiles, osinfo: [], more: 0 };
  const words = q.split(' ');
  const exactFirst = (a: OsChoice, b: OsChoice) =>
    Number(b.id.toLowerCase() === q) - Number(a.id.toLowerCase() === q);
  const osinfo = (list?.osinfo ?? [])
    .map(fromOsinfo)
    .filter((c) => matches(c, words))
    .sort(exactFirst);
  return {
    profiles: profiles.filter((c) => matches(c, words)).sort(exactFirst),
    osinfo: osinfo.slice(0, limit),
    more: Math.max(0, osinfo.length - limit),
  };
}

/** The decision of a topic (`memory`, `topology`, `disks`…), if the model made one. */
export const decisionOf = (decisions: readonly Decision[] | undefined, topic: string) =>
  decisions?.find((d) => d.topic === topic);

/** The decision a form field's default comes from. */
export const FIELD_TOPIC: Record<string, string> = {
  memory: 'memory',
  vcpus: 'topology',
  diskSize: 'disks',
  display: 'display',
  network: 'nic',
};

/** A field's default in words: "4096 MiB — recommended for …"; undefined when the model said nothing. */
export function defaultText(decisions: readonly Decision[] | undefined, field: string): string | undefined {
  const topic = FIELD_TOPIC[field];
  const d = topic ? decisionOf(decisions, topic) : undefined;
  return d ? `${d.choice} — ${d.reason}` : undefined;
}

/** A topic id as a label: `domain-type` → "Domain type". */
export function topicLabel(topic: string): string {
  const s = topic.replace(/[-_]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whether an OS (by its profile, from the explain answer) is Windows: the wizard offers the driver ISO. */
export const isWindows = (profileOrId: string | undefined) => /^win/i.test(profileOrId ?? '');
