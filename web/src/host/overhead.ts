// The host's overhead: the memory bar's segments and the CPU rows, from GET /api/host/overhead.
import type { OverheadGroup, OverheadReport } from './types';

export type SegmentKey = 'host' | 'virtualization' | 'phyllome' | 'guests' | 'free';

export interface Segment {
  key: SegmentKey;
  label: string;
  bytes: number;
  /** Share of the machine's memory, 0–100 (the bar's widths; they add up to 100). */
  percent: number;
}

export const SEGMENT_LABELS: Record<SegmentKey, string> = {
  host: 'Host OS',
  virtualization: 'libvirt and helpers',
  phyllome: 'Phyllome',
  guests: 'Guests now',
  free: 'Free for guests',
};

/**
 * The memory bar, left to right: what the host OS, libvirt with its helpers and Phyllome hold (the
 * overhead), what running guests hold now, and what is still free for guests. The API's
 * `leftForGuestsBytes` is the last two together. Segments never add up to more than the machine.
 */
export function memorySegments(r: OverheadReport): Segment[] {
  const total = Math.max(0, r.memory.totalBytes);
  let room = total;
  const take = (n: number) => {
    const v = Math.min(Math.max(0, n), room);
    room -= v;
    return v;
  };
  const bytes: Record<SegmentKey, number> = {
    host: take(r.groups.host.memoryBytes),
    virtualization: take(r.groups.virtualization.memoryBytes),
    phyllome: take(r.groups.phyllome.memoryBytes),
    guests: take(r.groups.guests.memoryBytes),
    free: 0,
  };
  bytes.free = room;
  return (Object.keys(bytes) as SegmentKey[]).map((key) => ({
    key,
    label: SEGMENT_LABELS[key],
    bytes: bytes[key],
    percent: total > 0 ? (bytes[key] * 100) / total : 0,
  }));
}

/** The overhead alone: host OS + libvirt + Phyllome, in bytes. */
export function overheadBytes(r: OverheadReport): number {
  return r.groups.host.memoryBytes + r.groups.virtualization.memoryBytes + r.groups.phyllome.memoryBytes;
}

export interface CpuRow {
  key: OverheadGroup;
  label: string;
  percent: number;
  processes: number;
}

/** CPU use by group over the sample (shares of the whole machine: all cores = 100%). */
export function cpuRows(r: OverheadReport): CpuRow[] {
  const order: OverheadGroup[] = ['host', 'virtualization', 'phyllome', 'guests'];
  return order.map((key) => ({
    key,
    label: key === 'guests' ? 'Guests' : SEGMENT_LABELS[key],
    percent: r.groups[key].cpuPercent,
    processes: r.groups[key].processes,
  }));
}

/** "The whole machine was 56% busy over 0.5 s (2 cores)". */
export function cpuSentence(r: OverheadReport): string {
  const s = r.cpu.sampleMs >= 1000 ? `${r.cpu.sampleMs / 1000} s` : `${r.cpu.sampleMs} ms`;
  const cores = r.cpu.cores ? ` (${r.cpu.cores} CPU thread${r.cpu.cores === 1 ? '' : 's'} = 100%)` : '';
  return `The whole machine was ${Math.round(r.cpu.busyPercent)}% busy over ${s}${cores}.`;
}
