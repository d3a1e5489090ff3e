import { known, unknown, valueOr, type Fact } from './fact.js';
import type { RootFs } from './root-fs.js';

const KIB = 1024;

export interface HugePagePool {
  sizeKiB: number;
  total: number;
  free: number;
}

export interface MemoryFacts {
  totalBytes: number;
  availableBytes: number | null;
  hugePages: HugePagePool[];
  /** `always`, `madvise` or `never` (the bracketed word of transparent_hugepage/enabled). */
  transparentHugePages: string | null;
}

/** Parses /proc/meminfo (`MemTotal:  24683620 kB`). */
export function parseMeminfo(text: string): Fact<{ totalBytes: number; availableBytes: number | null }> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m?.[1] && m[2]) values.set(m[1], Number(m[2]) * (m[3] ? KIB : 1));
  }
  const total = values.get('MemTotal');
  if (total === undefined || !(total > 0)) return unknown('proc/meminfo: no MemTotal line');
  return known({ totalBytes: total, availableBytes: values.get('MemAvailable') ?? null });
}

/** The selected word of `always [madvise] never`. */
export function parseBracketed(text: string): string | null {
  return /\[(\w+)\]/.exec(text)?.[1] ?? null;
}

export function probeMemory(fs: RootFs): Fact<MemoryFacts> {
  const meminfo = fs.text('proc/meminfo');
  if (!meminfo.known) return meminfo;
  const parsed = parseMeminfo(meminfo.value);
  if (!parsed.known) return parsed;
  const hugePages: HugePagePool[] = [];
  for (const dir of fs.entries('sys/kernel/mm/hugepages')) {
    const size = /^hugepages-(\d+)kB$/.exec(dir)?.[1];
    if (!size) continue;
    hugePages.push({
      sizeKiB: Number(size),
      total: valueOr(fs.int(`sys/kernel/mm/hugepages/${dir}/nr_hugepages`), 0),
      free: valueOr(fs.int(`sys/kernel/mm/hugepages/${dir}/free_hugepages`), 0),
    });
  }
  const thp = fs.text('sys/kernel/mm/transparent_hugepage/enabled');
  return known({
    ...parsed.value,
    hugePages,
    transparentHugePages: thp.known ? parseBracketed(thp.value) : null,
  });
}
