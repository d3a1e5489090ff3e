import { describe, expect, it } from 'vitest';
import { cpuRows, cpuSentence, memorySegments, overheadBytes } from './overhead';
import type { GroupUse, OverheadReport } from './types';

const GiB = 1024 ** 3;
const g = (memoryBytes: number, cpuPercent = 0): GroupUse => ({
  memoryBytes,
  cpuPercent,
  processes: 1,
  top: [],
});

const report = (total: number, host: number, virt: number, phyl: number, guests: number): OverheadReport => ({
  memory: { totalBytes: total, availableBytes: null, leftForGuestsBytes: total - host - virt - phyl },
  cpu: { sampleMs: 500, cores: 2, busyPercent: 56.4 },
  groups: { host: g(host, 50), virtualization: g(virt), phyllome: g(phyl, 1), guests: g(guests, 5) },
  services: { source: 'processes', note: '', unneeded: [] },
});

describe('memory bar', () => {
  it('has the overhead, the guests and what is free, in proportion, adding up to 100', () => {
    const s = memorySegments(report(16 * GiB, 2 * GiB, 1 * GiB, 1 * GiB, 4 * GiB));
    expect(s.map((x) => [x.key, x.percent])).toEqual([
      ['host', 12.5],
      ['virtualization', 6.25],
      ['phyllome', 6.25],
      ['guests', 25],
      ['free', 50],
    ]);
    expect(s.find((x) => x.key === 'free')!.bytes).toBe(8 * GiB);
  });
  it('never adds up to more than the machine (a process counted twice, a racing sample)', () => {
    const s = memorySegments(report(4 * GiB, 3 * GiB, 1 * GiB, 1 * GiB, 2 * GiB));
    expect(s.reduce((a, x) => a + x.bytes, 0)).toBe(4 * GiB);
    expect(s.map((x) => x.percent)).toEqual([75, 25, 0, 0, 0]);
    expect(memorySegments(report(0, 0, 0, 0, 0)).every((x) => x.percent === 0)).toBe(true);
  });
  it('the overhead is the host, libvirt and Phyllome', () => {
    expect(overheadBytes(report(16 * GiB, 2 * GiB, 1 * GiB, 1 * GiB, 4 * GiB))).toBe(4 * GiB);
  });
});

describe('CPU', () => {
  it('rows in the bar order, and a sentence with the sample and the cores', () => {
    const r = report(16 * GiB, 0, 0, 0, 0);
    expect(cpuRows(r).map((x) => [x.label, x.percent])).toEqual([
      ['Host OS', 50],
      ['libvirt and helpers', 0],
      ['Phyllome', 1],
      ['Guests', 5],
    ]);
    expect(cpuSentence(r)).toBe('The whole machine was 56% busy over 500 ms (2 CPU threads = 100%).');
  });
});
