// The Jobs page's pure parts: order, progress in words, and a job's result in a few fields.
import type { Job } from '../api/types';
import { bytes, duration } from '../format';

/** Running jobs first (newest first), then the ended ones, most recently ended first. */
export function sortJobs(jobs: Record<string, Job> | readonly Job[]): Job[] {
  const list = Array.isArray(jobs) ? [...(jobs as Job[])] : Object.values(jobs);
  const t = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0);
  return list.sort((a, b) => {
    const ra = a.state === 'running' ? 0 : 1;
    const rb = b.state === 'running' ? 0 : 1;
    if (ra !== rb) return ra - rb;
    if (ra === 0) return t(b.startedAt) - t(a.startedAt);
    return t(b.endedAt ?? b.startedAt) - t(a.endedAt ?? a.startedAt);
  });
}

/** A job kind as words: `full-clone` → "full clone". */
export const kindLabel = (kind: string) => kind.replace(/[-_]+/g, ' ');

const amount = (n: number, unit: string) =>
  unit === 'bytes' ? bytes(n) : unit === 'seconds' ? `${Math.round(n)} s` : `${n} ${unit}`;

/** "1.5 GiB of 4 GiB (38%)", "12 s of 120 s", "3 steps" (no total). */
export function progressText(p: Job['progress']): string {
  if (p.total === undefined || p.total <= 0) return amount(p.done, p.unit);
  const pct = Math.max(0, Math.min(100, Math.floor((p.done / p.total) * 100)));
  return `${amount(p.done, p.unit)} of ${amount(p.total, p.unit)} (${pct}%)`;
}

/** "120 MiB/s"; undefined without a rate. */
export function rateText(p: Job['progress']): string | undefined {
  if (p.rate === undefined || !Number.isFinite(p.rate) || p.rate <= 0) return undefined;
  if (p.unit === 'bytes') return `${bytes(p.rate)}/s`;
  if (p.unit === 'seconds') return undefined;
  return `${p.rate.toFixed(p.rate < 10 ? 1 : 0)} ${p.unit}/s`;
}

/** The time left at the current rate, in words; undefined when it cannot be told. */
export function etaText(p: Job['progress']): string | undefined {
  if (p.total === undefined || p.rate === undefined || p.rate <= 0 || p.unit === 'seconds') return undefined;
  const left = (p.total - p.done) / p.rate;
  return left > 0 ? `about ${duration(Math.ceil(left))} left` : undefined;
}

/** `<progress>` attributes: value/max with a total, none (indeterminate) without. */
export function progressBar(p: Job['progress'], state: Job['state']): { value?: number; max?: number } {
  if (state === 'done') return { value: 1, max: 1 };
  if (p.total === undefined || p.total <= 0) return state === 'running' ? {} : { value: 0, max: 1 };
  return { value: Math.min(p.done, p.total), max: p.total };
}

/** How long a job ran (or has been running at `now`). */
export function elapsed(job: Job, now: number): string {
  const start = Date.parse(job.startedAt);
  const end = job.endedAt ? Date.parse(job.endedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? duration(Math.max(0, (end - start) / 1000)) : '—';
}

/** A result's plain fields (strings, numbers, booleans, short string lists), for a small table. */
export function resultFields(result: unknown): [string, string][] {
  if (result === null || result === undefined) return [];
  if (typeof result !== 'object') return [['result', String(result)]];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(result as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([k, String(v)]);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length <= 10)
      out.push([k, v.length ? v.join(', ') : '—']);
  }
  return out;
}

export const stateWord: Record<Job['state'], string> = {
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A time as people read it: "10:04:12" today, "2 Dec, 10:04" another day; the ISO string if unreadable. */
export function timeText(iso: string, now: number, locale?: string): string {
  const t = new Date(iso);
  if (!Number.isFinite(t.getTime())) return iso;
  const sameDay = new Date(now).toDateString() === t.toDateString();
  return sameDay
    ? t.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : t.toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
