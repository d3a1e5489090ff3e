import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../api/types';
import { chartColumns, chartData, currentValue, niceMax, xRange } from './chart-data';

const T0 = Date.parse('2026-12-02T10:00:00Z') / 1000;

const sample = (second: number, patch: Partial<StatsSample> = {}): StatsSample => ({
  at: new Date((T0 + second) * 1000).toISOString(),
  state: 'running',
  vcpus: 1,
  cpuPercent: second,
  memoryBytes: 256 * 2 ** 20,
  memoryInUseBytes: 100 * 2 ** 20,
  diskReadBytesPerSecond: 10,
  diskWriteBytesPerSecond: 20,
  netRxBytesPerSecond: 30,
  netTxBytesPerSecond: 40,
  ...patch,
});

describe('chartColumns', () => {
  it('gives one point a sample, x in Unix seconds, each series from its field', () => {
    const c = chartColumns([sample(0), sample(1), sample(2)]);
    expect(c.x).toEqual([T0, T0 + 1, T0 + 2]);
    expect(c.cpu).toEqual([0, 1, 2]);
    expect(c.memoryInUse).toEqual([100 * 2 ** 20, 100 * 2 ** 20, 100 * 2 ** 20]);
    expect(c.memoryDefined[0]).toBe(256 * 2 ** 20);
    expect([c.diskRead[0], c.diskWrite[0], c.netRx[0], c.netTx[0]]).toEqual([10, 20, 30, 40]);
  });

  it('has nulls while the VM was not running, and keeps the nulls a sample has (the first has no rates)', () => {
    const c = chartColumns([
      sample(0, { cpuPercent: null, diskReadBytesPerSecond: null }),
      sample(1, { state: 'shutoff', cpuPercent: 3, memoryBytes: 1 }),
      sample(2, { state: 'paused', cpuPercent: 0 }),
    ]);
    expect(c.cpu).toEqual([null, null, 0]);
    expect(c.diskRead).toEqual([null, null, 10]);
    expect(c.memoryDefined[1]).toBeNull();
    expect(c.memoryInUse[2]).toBe(100 * 2 ** 20);
  });

  it('breaks the lines where samples did not come: one all-null point in a gap', () => {
    const c = chartColumns([sample(0), sample(1), sample(30), sample(31)]);
    expect(c.x).toEqual([T0, T0 + 1, T0 + 2, T0 + 30, T0 + 31]);
    expect(c.cpu).toEqual([0, 1, null, 30, 31]);
    expect(c.netTx[2]).toBeNull();
    // A second or three late is no gap.
    expect(chartColumns([sample(0), sample(3)]).x).toHaveLength(2);
  });

  it('keeps the last ten minutes before the newest sample, and leaves out unreadable or repeated times', () => {
    const samples = [sample(-700), sample(-600), sample(-599), sample(0)];
    const c = chartColumns(samples);
    expect(c.x[0]).toBe(T0 - 600);
    expect(c.cpu.filter((v) => v !== null)).toEqual([-600, -599, 0]);
    const odd = chartColumns([sample(0), { ...sample(1), at: 'not a time' }, sample(0), sample(1)]);
    expect(odd.x).toEqual([T0, T0 + 1]);
    expect(chartColumns([]).x).toEqual([]);
    expect(chartColumns([{ ...sample(0), at: '' }]).x).toEqual([]);
  });

  it('treats a value that is not a finite number as no value', () => {
    const c = chartColumns([sample(0, { cpuPercent: Number.NaN })]);
    expect(c.cpu).toEqual([null]);
  });
});

describe('chartData, xRange, currentValue, niceMax', () => {
  it('shapes the four charts as uPlot takes them, sharing x', () => {
    const c = chartColumns([sample(0), sample(1)]);
    const d = chartData(c);
    expect(d.cpu).toEqual([c.x, c.cpu]);
    expect(d.memory).toEqual([c.x, c.memoryInUse, c.memoryDefined]);
    expect(d.disk[0]).toBe(c.x);
    expect(d.net).toHaveLength(3);
  });

  it('shows ten minutes ending at the newest sample, or now without samples', () => {
    expect(xRange(chartColumns([sample(0), sample(5)]), 0)).toEqual([T0 + 5 - 600, T0 + 5]);
    expect(xRange(chartColumns([]), 1000)).toEqual([400, 1000]);
  });

  it('tells the newest point’s value, null when the VM was stopped then', () => {
    expect(currentValue([1, 2, 3])).toBe(3);
    expect(currentValue([1, null])).toBeNull();
    expect(currentValue([])).toBeNull();
  });

  it('rounds an axis top up, at least 1 KiB/s', () => {
    expect(niceMax(0)).toBe(1024);
    expect(niceMax(Number.NaN)).toBe(1024);
    expect(niceMax(3000)).toBe(3072);
    expect(niceMax(4096)).toBe(4096);
    expect(niceMax(4097)).toBe(5120);
    for (const v of [1025, 5000, 123456, 9e9]) expect(niceMax(v)).toBeGreaterThanOrEqual(v);
  });
});
