import type { JobUnit } from '../jobs/job.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → `1.5 KiB`; three significant digits at most, binary units as libvirt and qemu-img use. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < BYTE_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  const digits = i === 0 || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${BYTE_UNITS[i]}`;
}

/** 75 → `1m15s`, 3725 → `1h02m`, 9 → `9s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** An amount in a job's unit: bytes humanized, steps as a count, seconds as a duration. */
export function formatAmount(value: number, unit: JobUnit): string {
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'seconds') return formatDuration(value);
  return String(Math.round(value));
}

/** A rate in a job's unit: `12 MiB/s`, `3.5 steps/s`. */
export function formatRate(rate: number, unit: JobUnit): string {
  if (unit === 'bytes') return `${formatBytes(rate)}/s`;
  if (unit === 'seconds') return `${Number(rate.toFixed(2))}x`;
  return `${Number(rate.toFixed(rate >= 10 ? 0 : 1))} steps/s`;
}
