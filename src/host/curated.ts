import { readFileSync } from 'node:fs';
import type { DmiFacts } from './dmi.js';

export type CuratedRating = 'good' | 'mixed' | 'bad';

export interface CuratedEntry {
  id: string;
  match: Partial<Record<'sysVendor' | 'productName' | 'productVersion' | 'boardName', string>>;
  rating: CuratedRating;
  notes: string[];
}

/** The curated list shipped with Phyllome (`data/curated-hardware.json`). */
export const CURATED_FILE = new URL('../../../data/curated-hardware.json', import.meta.url);

export function loadCurated(file: URL | string = CURATED_FILE): CuratedEntry[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: unknown };
    return Array.isArray(parsed.entries) ? (parsed.entries as CuratedEntry[]) : [];
  } catch {
    return [];
  }
}

/** The first entry whose every given field is a case-insensitive substring of the host's DMI field. */
export function matchCurated(dmi: DmiFacts, entries: CuratedEntry[]): CuratedEntry | undefined {
  return entries.find((e) => {
    const fields = Object.entries(e.match) as [keyof CuratedEntry['match'], string][];
    return (
      fields.length > 0 && fields.every(([k, v]) => (dmi[k] ?? '').toLowerCase().includes(v.toLowerCase()))
    );
  });
}
