/**
 * One stats sample of a VM from two readings of its counters (src/machines/vm-counters.ts, what
 * /metrics exports): state and memory as read, CPU % as `vm list` computes it, disk and network I/O as
 * bytes per second since the previous reading.
 */
import { cpuPercent } from '../../machines/vm-list.js';
import type { VmCounters } from '../../machines/vm-counters.js';
import type { DomainState } from '../../libvirt/index.js';

export interface StatsSample {
  /** When it was taken (ISO 8601). */
  at: string;
  state: DomainState;
  vcpus: number | null;
  /** Since the previous sample, per vCPU (100 % = every vCPU busy); null on the first. */
  cpuPercent: number | null;
  /** The memory it is defined with. */
  memoryBytes: number | null;
  /** What its QEMU process holds in host memory. */
  memoryInUseBytes: number | null;
  diskReadBytesPerSecond: number | null;
  diskWriteBytesPerSecond: number | null;
  netRxBytesPerSecond: number | null;
  netTxBytesPerSecond: number | null;
}

/** Counters and when the daemon read them (ms, monotonic: the middle of the call's round trip). */
export interface Reading {
  counters: VmCounters;
  atMs: number;
}

const ACTIVE: readonly DomainState[] = ['running', 'paused', 'blocked'];

function rate(before: number, after: number, seconds: number): number | null {
  if (seconds <= 0 || after < before) return null;
  return Math.round((after - before) / seconds);
}

/** A sample from this reading and the previous one (none for the first: no rates yet). */
export function sampleOf(now: Reading, before: Reading | undefined, at: Date): StatsSample {
  const c = now.counters;
  const active = ACTIVE.includes(c.state);
  const prev = active ? before?.counters : undefined;
  const seconds = before ? (now.atMs - before.atMs) / 1000 : 0;
  const io = (k: 'diskReadBytes' | 'diskWriteBytes' | 'netRxBytes' | 'netTxBytes') =>
    prev ? rate(prev[k], c[k], seconds) : null;
  return {
    at: at.toISOString(),
    state: c.state,
    vcpus: c.vcpus,
    cpuPercent:
      prev && prev.cpuTimeNs !== null && c.cpuTimeNs !== null
        ? cpuPercent(
            { cpuTimeNs: prev.cpuTimeNs, atMs: before!.atMs },
            { cpuTimeNs: c.cpuTimeNs, atMs: now.atMs },
            c.vcpus ?? 1,
          )
        : null,
    memoryBytes: c.memoryBytes,
    memoryInUseBytes: active ? c.memoryRssBytes : null,
    diskReadBytesPerSecond: io('diskReadBytes'),
    diskWriteBytesPerSecond: io('diskWriteBytes'),
    netRxBytesPerSecond: io('netRxBytes'),
    netTxBytesPerSecond: io('netTxBytes'),
  };
}
