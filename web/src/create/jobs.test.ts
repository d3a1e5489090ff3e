import { describe, expect, it } from 'vitest';
import type { Job } from '../api/types';
import {
  elapsed,
  etaText,
  progressBar,
  progressText,
  rateText,
  resultFields,
  sortJobs,
  timeText,
} from './jobs';

const job = (id: string, patch: Partial<Job> = {}): Job => ({
  id,
  kind: 'shutdown',
  host: 'local',
  vm: 'web',
  state: 'running',
  progress: { phase: 'waiting', done: 0, total: 120, unit: 'seconds' },
  startedAt: '2026-12-02T10:00:00.000Z',
  ...patch,
});

describe('sortJobs', () => {
  it('puts running jobs first, newest first, then the most recently ended', () => {
    const jobs = {
      a: job('a', { state: 'done', endedAt: '2026-12-02T10:05:00.000Z' }),
      b: job('b', { startedAt: '2026-12-02T10:01:00.000Z' }),
      c: job('c', { state: 'failed', endedAt: '2026-12-02T10:09:00.000Z' }),
      d: job('d', { startedAt: '2026-12-02T10:03:00.000Z' }),
    };
    expect(sortJobs(jobs).map((j) => j.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe('progress in words', () => {
  it('with and without a total, in the job’s unit', () => {
    expect(progressText({ phase: 'x', done: 12, total: 120, unit: 'seconds' })).toBe('12 s of 120 s (10%)');
    expect(progressText({ phase: 'x', done: 2 ** 30, total: 2 ** 32, unit: 'bytes' })).toBe(
      '1 GiB of 4 GiB (25%)',
    );
    expect(progressText({ phase: 'x', done: 3, unit: 'steps' })).toBe('3 steps');
  });
  it('rate and time left only when they mean something', () => {
    const p = { phase: 'copying', done: 0, total: 2 ** 31, unit: 'bytes', rate: 2 ** 20 * 100 };
    expect(rateText(p)).toBe('100 MiB/s');
    expect(etaText(p)).toBe('about 21 s left');
    expect(rateText({ phase: 'x', done: 1, unit: 'seconds', rate: 1 })).toBeUndefined();
    expect(rateText({ phase: 'x', done: 1, unit: 'bytes' })).toBeUndefined();
  });
  it('a bar: value/max with a total, indeterminate while running without one, full when done', () => {
    expect(progressBar({ phase: 'x', done: 5, total: 10, unit: 'steps' }, 'running')).toEqual({
      value: 5,
      max: 10,
    });
    expect(progressBar({ phase: 'x', done: 5, unit: 'steps' }, 'running')).toEqual({});
    expect(progressBar({ phase: 'x', done: 5, total: 10, unit: 'steps' }, 'done')).toEqual({
      value: 1,
      max: 1,
    });
  });
  it('elapsed time of a running and an ended job', () => {
    const started = Date.parse('2026-12-02T10:00:00.000Z');
    expect(elapsed(job('a'), started + 75_000)).toBe('1 min');
    expect(elapsed(job('a', { endedAt: '2026-12-02T10:00:09.000Z' }), 0)).toBe('9 s');
  });
});

describe('resultFields', () => {
  it('keeps the plain fields of a result', () => {
    expect(
      resultFields({ name: 'web', forced: false, ms: 812, disks: ['/a', '/b'], xml: { big: 1 } }),
    ).toEqual([
      ['name', 'web'],
      ['forced', 'false'],
      ['ms', '812'],
      ['disks', '/a, /b'],
    ]);
    expect(resultFields(undefined)).toEqual([]);
    expect(resultFields('ok')).toEqual([['result', 'ok']]);
  });
});

describe('timeText', () => {
  it('gives the time of today, the day and time of another day, and an unreadable one as it is', () => {
    const at = '2026-12-02T10:04:12.000Z';
    expect(timeText(at, Date.parse('2026-12-02T12:00:00.000Z'), 'en-GB')).toMatch(/\d\d:04:12/);
    expect(timeText(at, Date.parse('2026-12-09T12:00:00.000Z'), 'en-GB')).toMatch(/2 Dec/);
    expect(timeText('soon', 0)).toBe('soon');
  });
});
