import { readFileSync } from 'node:fs';
import type { DmiFacts } from './dmi.js';

export type CuratedRating = 'good' | 'mixed' | 'bad';

/** A public page a curated note comes from. */
export interface CuratedSource {
  title: string;
  url: string;
}

type DmiField = 'sysVendor' | 'productName' | 'productVersion' | 'boardName';
const DMI_FIELDS: readonly DmiField[] = ['sysVendor', 'productName', 'productVersion', 'boardName'];
const RATINGS: readonly CuratedRating[] = ['good', 'mixed', 'bad'];

export interface CuratedEntry {
  id: string;
  /** Each field a case-insensitive substring of the host's DMI field. */
  match: Partial<Record<DmiField, string>>;
  /** Each field equal to the host's DMI field (case-insensitive), for names that are prefixes of others. */
  exact?: Partial<Record<DmiField, string>>;
  rating: CuratedRating;
  notes: string[];
  /** Where the notes come from: at least one public page. */
  sources: CuratedSource[];
}

/** The curated list shipped with Phyllome (`data/curated-hardware.json`). */
export const CURATED_FILE = new URL('../../../data/curated-hardware.json', import.meta.url);

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function fieldsProblems(id: string, what: string, value: unknown, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (typeof value !== 'object' || value === null) return [`${id}: ${what} must be an object of DMI fields`];
  const entries = Object.entries(value);
  if (required && entries.length === 0) return [`${id}: ${what} names no DMI field`];
  return entries.flatMap(([k, v]) =>
    !DMI_FIELDS.includes(k as DmiField)
      ? [`${id}: ${what}.${k} is not one of ${DMI_FIELDS.join(', ')}`]
      : isText(v)
        ? []
        : [`${id}: ${what}.${k} must be a non-empty string`],
  );
}

/** What is wrong with one entry of the list (empty when it is whole). */
export function curatedEntryProblems(entry: unknown, index: number): string[] {
  if (typeof entry !== 'object' || entry === null) return [`entry ${index}: not an object`];
  const e = entry as Record<string, unknown>;
  const id = isText(e.id) ? e.id : `entry ${index}`;
  const problems: string[] = isText(e.id) ? [] : [`${id}: no id`];
  problems.push(
    ...fieldsProblems(id, 'match', e.match, true),
    ...fieldsProblems(id, 'exact', e.exact, false),
  );
  if (!RATINGS.includes(e.rating as CuratedRating))
    problems.push(`${id}: rating must be ${RATINGS.join(', ')}`);
  if (!Array.isArray(e.notes) || e.notes.length === 0 || !e.notes.every(isText))
    problems.push(`${id}: notes must be a non-empty list of texts`);
  if (!Array.isArray(e.sources) || e.sources.length === 0) problems.push(`${id}: no source`);
  else
    for (const s of e.sources as unknown[]) {
      const src = (s ?? {}) as Record<string, unknown>;
      if (!isText(src.title)) problems.push(`${id}: a source has no title`);
      if (!isText(src.url) || !/^https?:\/\/[^\s/]+\.[^\s/]+\/?\S*$/.test(src.url))
        problems.push(`${id}: source url ${String(src.url)} is not an http(s) URL`);
    }
  return problems;
}

/** Reads a curated list; entries that are not whole (see curatedEntryProblems) are left out. */
export function loadCurated(file: URL | string = CURATED_FILE): CuratedEntry[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: unknown };
    if (!Array.isArray(parsed.entries)) return [];
    return parsed.entries.filter((e, i) => curatedEntryProblems(e, i).length === 0) as CuratedEntry[];
  } catch {
    return [];
  }
}

/**
 * The first entry whose every `match` field is a case-insensitive substring of the host's DMI field
 * and every `exact` field equals it.
 */
export function matchCurated(dmi: DmiFacts, entries: CuratedEntry[]): CuratedEntry | undefined {
  const host = (k: DmiField): string => (dmi[k] ?? '').trim().toLowerCase();
  return entries.find((e) => {
    const fields = Object.entries(e.match) as [DmiField, string][];
    const exact = Object.entries(e.exact ?? {}) as [DmiField, string][];
    return (
      fields.length > 0 &&
      fields.every(([k, v]) => host(k).includes(v.toLowerCase())) &&
      exact.every(([k, v]) => host(k) === v.trim().toLowerCase())
    );
  });
}
