// Formatting for people: sizes, durations, percentages, states.
import type { VmState } from './api/types';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; null → "—". Binary units, as the CLI prints. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits).replace(/\.0+$/, '')} ${UNITS[u]}`;
}

/** 3725 → "1 h 2 min"; null → "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** 12.345 → "12%"; 0.42 → "0.4%"; null → "—". */
export function percent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p > 0 && p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** A state in plain words, as `phyllo vm list` prints it. */
export function stateLabel(s: VmState): string {
  switch (s) {
    case 'running':
      return 'running';
    case 'blocked':
      return 'running (blocked)';
    case 'paused':
      return 'paused';
    case 'shutdown':
      return 'shutting down';
    case 'shutoff':
      return 'shut off';
    case 'crashed':
      return 'crashed';
    case 'pmsuspended':
      return 'suspended by the guest';
    default:
      return 'unknown';
  }
}

/** Whether a VM in this state has a live QEMU process (running, paused…). */
export function isActive(s: VmState): boolean {
  return s === 'running' || s === 'blocked' || s === 'paused' || s === 'shutdown' || s === 'pmsuspended';
}
