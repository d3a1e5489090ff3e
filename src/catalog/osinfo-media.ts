/**
 * Identifying an installer medium as libosinfo does (`osinfo_db_identify_media`): the ISO 9660
 * primary volume descriptor's ids are matched against the `<media><iso>` entries of osinfo-db,
 * whose `volume-id`, `system-id`, `publisher-id` and `application-id` are regular expressions
 * (searched, not anchored; an absent one matches anything) and whose `volume-size` must be equal
 * when given. Entries of rolling or pre-release OSes (`fedora-unknown`, `debiantesting`) count only
 * when no released OS matches. Pure: the caller reads the descriptor and the database.
 */
import { child, childrenNamed, textOf, type XmlNode } from '../xml/node.js';

/** The primary volume descriptor starts at sector 16 (2048-byte sectors). */
export const PVD_OFFSET = 32768;
export const PVD_LENGTH = 2048;

/** What a medium says about itself (trailing blanks removed). */
export interface MediumIdentity {
  volumeId: string;
  systemId: string;
  publisherId: string;
  applicationId: string;
  /** Logical block size × volume space size, in bytes. */
  volumeSize: number;
}

/** One `<media>` entry of osinfo-db, for one OS. */
export interface MediaRule {
  osId: string;
  shortId: string;
  osName: string;
  arch: string;
  releaseDate?: string;
  /** The OS is rolling, a pre-release or a snapshot: used only when nothing else matches. */
  fallback: boolean;
  volumeId?: string;
  systemId?: string;
  publisherId?: string;
  applicationId?: string;
  volumeSize?: number;
}

export interface MediaMatch {
  rule: MediaRule;
  /** The fields that matched, as `field "value" ~ /pattern/`, for the reason. */
  matched: string[];
}

/** Architectures whose media a PC guest (x86_64) boots. */
const PC_ARCHES = ['x86_64', 'all'];

/** Reads the descriptor at `PVD_OFFSET`; undefined when it is not an ISO 9660 primary descriptor. */
export function parseVolumeDescriptor(pvd: Buffer): MediumIdentity | undefined {
  if (pvd.length < PVD_LENGTH || pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return undefined;
  const field = (offset: number, length: number): string =>
    pvd
      .toString('latin1', offset, offset + length)
      .replace(/\0/g, ' ')
      .trimEnd();
  return {
    systemId: field(8, 32),
    volumeId: field(40, 32),
    publisherId: field(318, 128),
    applicationId: field(574, 128),
    volumeSize: pvd.readUInt32LE(80) * pvd.readUInt16LE(128),
  };
}

/** The `<media>` entries of one `<os>` element for PC architectures. */
export function mediaRulesOf(
  os: XmlNode,
  info: { shortId: string; name: string; releaseDate?: string },
): MediaRule[] {
  const status = textOf(os, 'release-status');
  const fallback = status === 'rolling' || status === 'prerelease' || status === 'snapshot';
  const rules: MediaRule[] = [];
  for (const media of childrenNamed(os, 'media')) {
    const arch = media.attrs.arch ?? 'all';
    if (!PC_ARCHES.includes(arch)) continue;
    const iso = child(media, 'iso');
    if (!iso) continue;
    const rule: MediaRule = {
      osId: os.attrs.id ?? '',
      shortId: info.shortId,
      osName: info.name,
      arch,
      fallback,
    };
    if (info.releaseDate) rule.releaseDate = info.releaseDate;
    const set = (k: 'volumeId' | 'systemId' | 'publisherId' | 'applicationId', tag: string): void => {
      const t = textOf(iso, tag);
      if (t) rule[k] = t;
    };
    set('volumeId', 'volume-id');
    set('systemId', 'system-id');
    set('publisherId', 'publisher-id');
    set('applicationId', 'application-id');
    const size = Number(textOf(iso, 'volume-size'));
    if (size > 0) rule.volumeSize = size;
    rules.push(rule);
  }
  return rules;
}

const regexCache = new Map<string, RegExp | null>();

/** osinfo-db's patterns are PCRE (GRegex); the ones it uses are valid JavaScript too. */
function regex(pattern: string): RegExp | null {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern);
    } catch {
      r = null; // a pattern JavaScript cannot read matches nothing
    }
    regexCache.set(pattern, r);
  }
  return r;
}

const FIELDS = [
  ['volumeId', 'volume id'],
  ['systemId', 'system id'],
  ['publisherId', 'publisher id'],
  ['applicationId', 'application id'],
] as const;

/** Whether one rule matches the medium; the fields compared when it does. */
export function ruleMatches(rule: MediaRule, medium: MediumIdentity): string[] | undefined {
  const matched: string[] = [];
  for (const [key, words] of FIELDS) {
    const pattern = rule[key];
    if (pattern === undefined) continue;
    if (!regex(pattern)?.test(medium[key])) return undefined;
    matched.push(`${words} "${medium[key]}" matches /${pattern}/`);
  }
  if (rule.volumeSize !== undefined) {
    if (rule.volumeSize !== medium.volumeSize) return undefined;
    matched.push(`size ${medium.volumeSize} bytes`);
  }
  return matched.length > 0 ? matched : undefined; // a rule that compares nothing matches nothing
}

/**
 * Every OS whose media match, one entry per OS (its first matching rule), newest release first;
 * released OSes only, unless none matches (then the rolling and pre-release ones).
 */
export function matchMedia(rules: readonly MediaRule[], medium: MediumIdentity): MediaMatch[] {
  for (const fallback of [false, true]) {
    const byOs = new Map<string, MediaMatch>();
    for (const rule of rules) {
      if (rule.fallback !== fallback || byOs.has(rule.osId)) continue;
      const matched = ruleMatches(rule, medium);
      if (matched) byOs.set(rule.osId, { rule, matched });
    }
    if (byOs.size > 0)
      return [...byOs.values()].sort((a, b) =>
        (b.rule.releaseDate ?? '').localeCompare(a.rule.releaseDate ?? ''),
      );
  }
  return [];
}
