import type { VmListEntry, VmState } from '../api/types';
import { STATS_KEPT, statsKey, type Action, type HostVms, type State } from './state';

const emptyHost: HostVms = { list: undefined, error: undefined, loadedAt: undefined };

function patchVm(state: State, host: string, vm: string, patch: (v: VmState) => VmState): State {
  const h = state.vms[host];
  if (!h?.list) return state;
  let changed = false;
  const list = h.list.map((e) => {
    if (e.name !== vm) return e;
    const next = patch(e.state);
    if (next === e.state) return e;
    changed = true;
    // A VM that is not running has no uptime, CPU or memory in use.
    return next === 'running' || next === 'paused'
      ? { ...e, state: next }
      : { ...e, state: next, uptimeSeconds: null, cpuPercent: null, memoryInUseBytes: null };
  });
  return changed ? { ...state, vms: { ...state.vms, [host]: { ...h, list } } } : state;
}

function sameEntry(a: VmListEntry, b: VmListEntry): boolean {
  for (const k of Object.keys(b) as (keyof VmListEntry)[]) {
    if (a[k] === b[k]) continue;
    if (k === 'disks' && JSON.stringify(a.disks) === JSON.stringify(b.disks)) continue;
    return false;
  }
  return Object.keys(a).length === Object.keys(b).length;
}

/**
 * A re-read list with the entries that did not change kept as the same objects (and the old list
 * itself when nothing changed): rows that show them need not render again.
 */
export function keepSame(old: VmListEntry[] | undefined, next: VmListEntry[]): VmListEntry[] {
  if (!old) return next;
  const byName = new Map(old.map((e) => [e.name, e]));
  let changed = old.length !== next.length;
  const list = next.map((e, i) => {
    const o = byName.get(e.name);
    if (o && sameEntry(o, e)) {
      if (old[i] !== o) changed = true;
      return o;
    }
    changed = true;
    return e;
  });
  return changed ? list : old;
}

/** The one reducer of the UI's store: pure, so every change of state is a tested function of an action. */
export function reduce(state: State, a: Action): State {
  switch (a.type) {
    case 'connection':
      return a.status === state.connection ? state : { ...state, connection: a.status };
    case 'hosts':
      return { ...state, hosts: a.hosts };
    case 'host-changed':
      return {
        ...state,
        hosts: state.hosts.map((h) => (h.id === a.host ? { ...h, connected: a.connected } : h)),
      };
    case 'vms-loaded':
      return {
        ...state,
        vms: {
          ...state.vms,
          [a.host]: { list: keepSame(state.vms[a.host]?.list, a.list), error: undefined, loadedAt: a.at },
        },
      };
    case 'vms-failed':
      return {
        ...state,
        vms: { ...state.vms, [a.host]: { ...(state.vms[a.host] ?? emptyHost), error: a.error } },
      };
    case 'vm-state':
      return patchVm(state, a.host, a.vm, () => a.state);
    case 'vm-removed': {
      const h = state.vms[a.host];
      if (!h?.list?.some((e) => e.name === a.vm)) return state;
      return {
        ...state,
        vms: { ...state.vms, [a.host]: { ...h, list: h.list.filter((e) => e.name !== a.vm) } },
      };
    }
    case 'jobs-loaded': {
      const jobs = { ...state.jobs };
      for (const j of a.jobs)
        if (!(jobs[j.id] && jobs[j.id]!.state !== 'running' && j.state === 'running')) jobs[j.id] = j;
      return { ...state, jobs };
    }
    case 'job': {
      // An ended job never runs again: a late answer (a cancel call's, a list read before the end)
      // that still says "running" must not undo the job-end event.
      const old = state.jobs[a.job.id];
      if (old && old.state !== 'running' && a.job.state === 'running') return state;
      return { ...state, jobs: { ...state.jobs, [a.job.id]: a.job } };
    }
    case 'stats-history':
      return {
        ...state,
        stats: { ...state.stats, [statsKey(a.host, a.vm)]: a.history.slice(-STATS_KEPT) },
      };
    case 'stats-sample': {
      const k = statsKey(a.host, a.vm);
      const old = state.stats[k] ?? [];
      const next = old.length >= STATS_KEPT ? old.slice(old.length - STATS_KEPT + 1) : old.slice();
      next.push(a.sample);
      return { ...state, stats: { ...state.stats, [k]: next } };
    }
  }
}

/**
 * The state a lifecycle event tells for sure, patched at once (the re-read that follows fills the
 * rest): undefined where the event says nothing certain (defined, shutdown in progress).
 */
export function stateAfterEvent(event: string): VmState | undefined {
  switch (event) {
    case 'started':
    case 'resumed':
      return 'running';
    case 'suspended':
      return 'paused';
    case 'stopped':
      return 'shutoff';
    case 'crashed':
      return 'crashed';
    case 'pmsuspended':
      return 'pmsuspended';
    default:
      return undefined;
  }
}
