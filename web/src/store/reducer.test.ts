import { describe, expect, it } from 'vitest';
import type { Job, VmListEntry } from '../api/types';
import { keepSame, reduce, stateAfterEvent } from './reducer';
import { initialState, STATS_KEPT, statsKey, type State } from './state';

const vm = (name: string, state: VmListEntry['state'] = 'shutoff'): VmListEntry => ({
  name,
  uuid: `uuid-${name}`,
  state,
  os: 'debian12',
  vcpus: 2,
  memoryBytes: 2 ** 31,
  disks: [],
  diskAllocationBytes: 1,
  diskCapacityBytes: 2,
  uptimeSeconds: state === 'running' ? 10 : null,
  cpuPercent: state === 'running' ? 5 : null,
  memoryInUseBytes: state === 'running' ? 2 ** 30 : null,
});

const loaded = (list: VmListEntry[]): State =>
  reduce(initialState, { type: 'vms-loaded', host: 'system', list, at: 1 });

describe('reduce', () => {
  it('patches one VM’s state and clears what a stopped VM cannot have', () => {
    const s = loaded([vm('a', 'running'), vm('b')]);
    const next = reduce(s, { type: 'vm-state', host: 'system', vm: 'a', state: 'shutoff' });
    expect(next.vms.system!.list![0]).toMatchObject({
      state: 'shutoff',
      uptimeSeconds: null,
      cpuPercent: null,
    });
    expect(next.vms.system!.list![1]).toBe(s.vms.system!.list![1]);
  });

  it('returns the same state when nothing changes (no re-render)', () => {
    const s = loaded([vm('a', 'running')]);
    expect(reduce(s, { type: 'vm-state', host: 'system', vm: 'a', state: 'running' })).toBe(s);
    expect(reduce(s, { type: 'vm-state', host: 'other', vm: 'a', state: 'paused' })).toBe(s);
    expect(reduce(s, { type: 'vm-removed', host: 'system', vm: 'zz' })).toBe(s);
  });

  it('removes an undefined VM', () => {
    const s = reduce(loaded([vm('a'), vm('b')]), { type: 'vm-removed', host: 'system', vm: 'a' });
    expect(s.vms.system!.list!.map((v) => v.name)).toEqual(['b']);
  });

  it('keeps the old list when a re-read fails, with the error', () => {
    const s = reduce(loaded([vm('a')]), {
      type: 'vms-failed',
      host: 'system',
      error: { code: 'host-unavailable', message: 'down' },
    });
    expect(s.vms.system!.list).toHaveLength(1);
    expect(s.vms.system!.error?.code).toBe('host-unavailable');
  });

  it('keeps at most ten minutes of stats per VM', () => {
    let s = initialState;
    const sample = (i: number) => ({
      at: String(i),
      state: 'running' as const,
      vcpus: 1,
      cpuPercent: i,
      memoryBytes: 1,
      memoryInUseBytes: 1,
      diskReadBytesPerSecond: 0,
      diskWriteBytesPerSecond: 0,
      netRxBytesPerSecond: 0,
      netTxBytesPerSecond: 0,
    });
    s = reduce(s, { type: 'stats-history', host: 'h', vm: 'v', history: [sample(0)] });
    for (let i = 1; i <= STATS_KEPT + 5; i++)
      s = reduce(s, { type: 'stats-sample', host: 'h', vm: 'v', sample: sample(i) });
    const kept = s.stats[statsKey('h', 'v')]!;
    expect(kept).toHaveLength(STATS_KEPT);
    expect(kept.at(-1)!.cpuPercent).toBe(STATS_KEPT + 5);
  });
});

describe('jobs', () => {
  const job = (state: 'running' | 'done' | 'cancelled') => ({
    id: 'j1',
    kind: 'clone',
    host: 'system',
    state,
    progress: { phase: 'copy', done: 1, unit: 'bytes' },
    startedAt: 't',
  });
  it('never puts an ended job back to running (a late answer after the job-end event)', () => {
    const ended = reduce(initialState, { type: 'job', job: job('cancelled') });
    expect(reduce(ended, { type: 'job', job: job('running') })).toBe(ended);
    expect(reduce(ended, { type: 'jobs-loaded', jobs: [job('running')] }).jobs.j1!.state).toBe('cancelled');
    const running = reduce(initialState, { type: 'job', job: job('running') });
    expect(reduce(running, { type: 'job', job: job('done') }).jobs.j1!.state).toBe('done');
  });
});

describe('stateAfterEvent', () => {
  it('tells the state only the events that are sure of it', () => {
    expect(stateAfterEvent('started')).toBe('running');
    expect(stateAfterEvent('stopped')).toBe('shutoff');
    expect(stateAfterEvent('suspended')).toBe('paused');
    expect(stateAfterEvent('defined')).toBeUndefined();
    expect(stateAfterEvent('shutdown')).toBeUndefined();
  });
});

describe('keepSame', () => {
  it('keeps the entries that did not change, and the list itself when none did', () => {
    const old = [vm('a', 'running'), vm('b')];
    const same = keepSame(old, [vm('a', 'running'), vm('b')]);
    expect(same).toBe(old);
    const next = keepSame(old, [vm('a', 'running'), vm('b', 'running')]);
    expect(next).not.toBe(old);
    expect(next[0]).toBe(old[0]);
    expect(next[1]).not.toBe(old[1]);
    expect(next[1]!.state).toBe('running');
    const fewer = keepSame(old, [vm('b')]);
    expect(fewer).toEqual([vm('b')]);
    expect(fewer[0]).toBe(old[1]);
    expect(keepSame(undefined, old)).toBe(old);
  });
  it('compares disks by value', () => {
    const d = (n: number) => ({ ...vm('a'), disks: [{ target: 'vda', allocationBytes: n }] });
    const old = [d(1)];
    expect(keepSame(old, [d(1)])).toBe(old);
    expect(keepSame(old, [d(2)])[0]!.disks[0]!.allocationBytes).toBe(2);
  });
  it('a re-read with the same entries keeps the state’s list', () => {
    const s = loaded([vm('a')]);
    const again = reduce(s, { type: 'vms-loaded', host: 'system', list: [vm('a')], at: 2 });
    expect(again.vms.system!.list).toBe(s.vms.system!.list);
    expect(again.vms.system!.loadedAt).toBe(2);
  });
});

describe('jobs', () => {
  const job = (state: Job['state']): Job => ({
    id: 'j',
    kind: 'shutdown',
    host: 'system',
    vm: 'a',
    state,
    progress: { phase: 'waiting', done: 0, unit: 'seconds' },
    startedAt: '2026-12-02T10:00:00.000Z',
  });
  it('an ended job is not brought back to running by a view read before its end', () => {
    const ended = reduce(initialState, { type: 'job', job: job('cancelled') });
    expect(reduce(ended, { type: 'job', job: job('running') })).toBe(ended);
    const running = reduce(initialState, { type: 'job', job: job('running') });
    expect(reduce(running, { type: 'job', job: job('done') }).jobs.j!.state).toBe('done');
  });
});
