import { describe, expect, it } from 'vitest';
import type { Job, VmListEntry } from '../api/types';
import type { HostVms } from '../store/state';
import {
  actionsFor,
  DEFAULT_VIEW,
  matches,
  pendingRows,
  queryOfView,
  shutdownJobs,
  sortVms,
  summary,
  toggleSort,
  viewFromQuery,
  visibleVms,
} from './list';
import { subscriptionPlan } from './subscriptions';

const vm = (name: string, patch: Partial<VmListEntry> = {}): VmListEntry => ({
  name,
  uuid: `uuid-${name}`,
  state: 'shutoff',
  os: 'debian12',
  vcpus: 1,
  memoryBytes: 2 ** 30,
  disks: [],
  diskAllocationBytes: null,
  diskCapacityBytes: null,
  uptimeSeconds: null,
  cpuPercent: null,
  memoryInUseBytes: null,
  ...patch,
});

const names = (l: VmListEntry[]) => l.map((v) => v.name);

describe('filter', () => {
  const web = vm('web', { os: 'ubuntu24.04', state: 'running' });
  it('matches every word against the name, OS id and state, case-insensitively', () => {
    expect(matches(web, '')).toBe(true);
    expect(matches(web, 'WE')).toBe(true);
    expect(matches(web, 'ubuntu')).toBe(true);
    expect(matches(web, 'running')).toBe(true);
    expect(matches(web, 'web ubuntu')).toBe(true);
    expect(matches(web, 'web debian')).toBe(false);
    expect(matches(vm('db'), 'shut off'), 'the state in plain words').toBe(true);
    expect(matches(vm('db', { os: null }), 'debian')).toBe(false);
  });
  it('takes commas as alternatives', () => {
    expect(matches(web, 'db, web')).toBe(true);
    expect(matches(web, 'db, web debian')).toBe(false);
    expect(matches(web, ' , ')).toBe(true);
  });
});

describe('sort', () => {
  const list = [
    vm('vm10', { memoryBytes: 4, state: 'running', cpuPercent: 5 }),
    vm('vm2', { memoryBytes: 8, state: 'paused' }),
    vm('b', { memoryBytes: null }),
    vm('A', { memoryBytes: 4, state: 'running', cpuPercent: 50 }),
  ];
  it('sorts names naturally and case-insensitively', () => {
    expect(names(sortVms(list, 'name', 'asc'))).toEqual(['A', 'b', 'vm2', 'vm10']);
    expect(names(sortVms(list, 'name', 'desc'))).toEqual(['vm10', 'vm2', 'b', 'A']);
  });
  it('sorts numbers with unknown values last either way, ties by name', () => {
    expect(names(sortVms(list, 'memory', 'asc'))).toEqual(['A', 'vm10', 'vm2', 'b']);
    expect(names(sortVms(list, 'memory', 'desc'))).toEqual(['vm2', 'A', 'vm10', 'b']);
    expect(names(sortVms(list, 'cpu', 'desc'))).toEqual(['A', 'vm10', 'b', 'vm2']);
  });
  it('sorts states running first', () => {
    expect(names(sortVms(list, 'state', 'asc'))).toEqual(['A', 'vm10', 'vm2', 'b']);
  });
  it('does not change its input', () => {
    const before = names(list);
    sortVms(list, 'name', 'asc');
    expect(names(list)).toEqual(before);
  });
  it('filters then sorts', () => {
    expect(names(visibleVms(list, { q: 'vm', sort: 'name', dir: 'desc' }))).toEqual(['vm10', 'vm2']);
  });
});

describe('the view in the URL', () => {
  it('reads and writes the query, defaults left out', () => {
    expect(viewFromQuery('')).toEqual(DEFAULT_VIEW);
    expect(viewFromQuery('?q=web&sort=memory&dir=desc')).toEqual({ q: 'web', sort: 'memory', dir: 'desc' });
    expect(viewFromQuery('?sort=nonsense&dir=up')).toEqual(DEFAULT_VIEW);
    expect(queryOfView(DEFAULT_VIEW)).toBe('');
    expect(queryOfView({ q: 'a b', sort: 'cpu', dir: 'desc' })).toBe('?q=a+b&sort=cpu&dir=desc');
    const v = { q: 'x&y', sort: 'uptime', dir: 'asc' } as const;
    expect(viewFromQuery(queryOfView(v))).toEqual(v);
  });
  it('a heading click flips the direction of the same column, starts another ascending', () => {
    expect(toggleSort(DEFAULT_VIEW, 'name')).toMatchObject({ sort: 'name', dir: 'desc' });
    expect(toggleSort({ q: 'a', sort: 'name', dir: 'desc' }, 'cpu')).toEqual({
      q: 'a',
      sort: 'cpu',
      dir: 'asc',
    });
  });
});

describe('actions', () => {
  it('offers only what fits the state', () => {
    expect(actionsFor('shutoff')).toEqual(['start']);
    expect(actionsFor('running')).toEqual(['shutdown', 'reboot', 'pause', 'kill']);
    expect(actionsFor('paused')).toEqual(['resume', 'kill']);
    expect(actionsFor('shutdown')).toEqual(['kill']);
    expect(actionsFor('running', true), 'while a shutdown job runs').toEqual(['cancel', 'kill']);
    expect(actionsFor('unknown')).toEqual([]);
  });
});

const job = (patch: Partial<Job>): Job => ({
  id: 'j1',
  kind: 'clone',
  host: 'system',
  vm: 'web',
  state: 'running',
  progress: { phase: 'copying', done: 25, total: 100, unit: 'bytes' },
  startedAt: '2026-12-02T10:00:00.000Z',
  ...patch,
});

const host = (list: VmListEntry[] | undefined, loadedAt?: number): Record<string, HostVms> => ({
  system: { list, error: undefined, loadedAt },
});

describe('pending rows', () => {
  it('shows a running clone at once, with its progress', () => {
    const rows = pendingRows({ j1: job({}) }, host([vm('web')], 1));
    expect(rows.get('system')).toEqual([
      expect.objectContaining({ name: undefined, label: 'a clone of web', fraction: 0.25 }),
    ]);
  });
  it('a create job names its VM; the row goes when the VM is listed', () => {
    const create = job({
      id: 'c',
      kind: 'create',
      vm: 'new1',
      progress: { phase: 'x', done: 0, unit: 'steps' },
    });
    expect(pendingRows({ c: create }, host([vm('web')], 1)).get('system')).toEqual([
      expect.objectContaining({ name: 'new1', label: 'new1', fraction: undefined }),
    ]);
    expect(pendingRows({ c: create }, host([vm('web'), vm('new1')], 1)).size).toBe(0);
  });
  it('an import shows at once, under its new name or as an imported VM, until listed', () => {
    const named = job({ id: 'i', kind: 'import', vm: 'web-copy' });
    expect(pendingRows({ i: named }, host([vm('web')], 1)).get('system')).toEqual([
      expect.objectContaining({ name: 'web-copy', label: 'web-copy', fraction: 0.25 }),
    ]);
    const unnamed = job({ id: 'j', kind: 'import', vm: undefined });
    expect(pendingRows({ j: unnamed }, host([], 1)).get('system')).toEqual([
      expect.objectContaining({ name: undefined, label: 'an imported VM' }),
    ]);
    const done = job({
      id: 'j',
      kind: 'import',
      state: 'done',
      endedAt: '2026-12-02T10:01:00.000Z',
      result: { name: 'web' },
    });
    expect(pendingRows({ j: done }, host([vm('web')], 1)).size).toBe(0);
  });
  it('a finished clone stays until a list read after its end shows it', () => {
    const endedAt = '2026-12-02T10:01:00.000Z';
    const done = job({ state: 'done', endedAt, result: { name: 'web-2' } });
    const before = Date.parse(endedAt) - 1;
    expect(pendingRows({ j1: done }, host([vm('web')], before)).get('system')).toEqual([
      expect.objectContaining({ name: 'web-2', fraction: 1 }),
    ]);
    expect(pendingRows({ j1: done }, host([vm('web')], before + 2)).size, 're-read without it').toBe(0);
    expect(pendingRows({ j1: done }, host([vm('web'), vm('web-2')], before)).size).toBe(0);
  });
  it('failed, cancelled and other jobs make no row; rows are oldest first', () => {
    const jobs = {
      a: job({ id: 'a', state: 'failed' }),
      b: job({ id: 'b', state: 'cancelled' }),
      c: job({ id: 'c', kind: 'shutdown' }),
      d: job({ id: 'd', startedAt: '2026-12-02T10:00:05.000Z' }),
      e: job({ id: 'e', startedAt: '2026-12-02T09:00:00.000Z', host: 'other' }),
      f: job({ id: 'f', startedAt: '2026-12-02T09:59:00.000Z' }),
    };
    const rows = pendingRows(jobs, host([], 1));
    expect(rows.get('system')!.map((r) => r.job.id)).toEqual(['f', 'd']);
    expect(rows.get('other')!.map((r) => r.job.id)).toEqual(['e']);
  });
  it('finds the running shutdown jobs', () => {
    const m = shutdownJobs({
      a: job({ id: 'a', kind: 'shutdown' }),
      b: job({ id: 'b', kind: 'shutdown', vm: 'db', state: 'done' }),
    });
    expect([...m.keys()]).toEqual(['system\nweb']);
  });
});

describe('summary and subscriptions', () => {
  it('counts VMs and running ones', () => {
    expect(summary([[vm('a', { state: 'running' }), vm('b')], [vm('c')]])).toBe('3 VMs, 1 running');
    expect(summary([[vm('a')]])).toBe('1 VM, 0 running');
  });
  it('holds the first cap wanted subscriptions, keeping those held', () => {
    expect(subscriptionPlan(new Set(['a', 'b']), ['b', 'c', 'd'], 2)).toEqual({ open: ['c'], close: ['a'] });
    expect(subscriptionPlan(new Set(), [], 2)).toEqual({ open: [], close: [] });
  });
});
