// The VMs page's pure logic: filter, sort, the URL query that keeps them, the actions a state allows,
// and the rows of VMs still being created or cloned.
import type { HostVms } from '../store/state';
import type { Job, VmListEntry, VmState } from '../api/types';
import { stateLabel } from '../format';

export type SortKey = 'name' | 'state' | 'os' | 'vcpus' | 'memory' | 'disk' | 'uptime' | 'cpu' | 'memuse';
export type SortDir = 'asc' | 'desc';

export const SORT_KEYS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'state', label: 'State' },
  { key: 'os', label: 'OS' },
  { key: 'vcpus', label: 'vCPUs' },
  { key: 'memory', label: 'Memory' },
  { key: 'disk', label: 'Disk use' },
  { key: 'uptime', label: 'Uptime' },
  { key: 'cpu', label: 'CPU' },
  { key: 'memuse', label: 'Memory in use' },
];

export interface ListView {
  /** Filter text: every word must match the name, OS id or state; commas separate alternatives. */
  q: string;
  sort: SortKey;
  dir: SortDir;
}

export const DEFAULT_VIEW: ListView = { q: '', sort: 'name', dir: 'asc' };

const isSortKey = (s: string | null): s is SortKey => SORT_KEYS.some((k) => k.key === s);

/** The view a URL query says (`?q=web&sort=memory&dir=desc`); what it leaves out is the default. */
export function viewFromQuery(search: string): ListView {
  const p = new URLSearchParams(search);
  const sort = p.get('sort');
  const dir = p.get('dir');
  return {
    q: p.get('q') ?? '',
    sort: isSortKey(sort) ? sort : DEFAULT_VIEW.sort,
    dir: dir === 'desc' || dir === 'asc' ? dir : DEFAULT_VIEW.dir,
  };
}

/** The URL query of a view: defaults left out, '' for the default view. */
export function queryOfView(v: ListView): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.sort !== DEFAULT_VIEW.sort) p.set('sort', v.sort);
  if (v.dir !== DEFAULT_VIEW.dir) p.set('dir', v.dir);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The view after a click on a column's heading: the same column flips its direction, another starts ascending. */
export function toggleSort(v: ListView, key: SortKey): ListView {
  return v.sort === key ? { ...v, dir: v.dir === 'asc' ? 'desc' : 'asc' } : { ...v, sort: key, dir: 'asc' };
}

/**
 * Whether a VM matches the filter text: each word is found in its name, OS id, state word or label;
 * commas separate alternatives ("web, db" matches either).
 */
export function matches(vm: VmListEntry, q: string): boolean {
  const alternatives = q
    .toLowerCase()
    .split(',')
    .map((a) => a.split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
  if (alternatives.length === 0) return true;
  const hay = `${vm.name}\n${vm.os ?? ''}\n${vm.state}\n${stateLabel(vm.state)}`.toLowerCase();
  return alternatives.some((words) => words.every((w) => hay.includes(w)));
}

/** Running first, then those with a QEMU process, then the stopped ones. */
const STATE_ORDER: Record<VmState, number> = {
  running: 0,
  blocked: 1,
  paused: 2,
  shutdown: 3,
  pmsuspended: 4,
  crashed: 5,
  shutoff: 6,
  nostate: 7,
  unknown: 8,
};

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortValue(vm: VmListEntry, key: SortKey): number | string | null {
  switch (key) {
    case 'name':
      return vm.name;
    case 'state':
      return STATE_ORDER[vm.state] ?? 9;
    case 'os':
      return vm.os;
    case 'vcpus':
      return vm.vcpus;
    case 'memory':
      return vm.memoryBytes;
    case 'disk':
      return vm.diskAllocationBytes;
    case 'uptime':
      return vm.uptimeSeconds;
    case 'cpu':
      return vm.cpuPercent;
    case 'memuse':
      return vm.memoryInUseBytes;
  }
}

/**
 * The VMs sorted by `key` (a new array): unknown values (null) last whichever the direction, ties by
 * name (numbers in names in order: vm2 before vm10).
 */
export function sortVms(list: readonly VmListEntry[], key: SortKey, dir: SortDir): VmListEntry[] {
  const sign = dir === 'asc' ? 1 : -1;
  return list.slice().sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      const c =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
      if (c !== 0) return sign * c;
    }
    return key === 'name' ? 0 : collator.compare(a.name, b.name);
  });
}

/** Filter then sort: the rows a host's table shows. */
export function visibleVms(list: readonly VmListEntry[], v: ListView): VmListEntry[] {
  return sortVms(
    list.filter((vm) => matches(vm, v.q)),
    v.sort,
    v.dir,
  );
}

export type RowAction = 'start' | 'shutdown' | 'reboot' | 'pause' | 'resume' | 'kill' | 'cancel';

/**
 * The actions that fit a state, in the order the row shows them. While a shutdown job runs, the VM is
 * locked by it: only cancelling it, or force off (which cancels it first).
 */
export function actionsFor(state: VmState, shuttingDown = false): RowAction[] {
  if (shuttingDown) return ['cancel', 'kill'];
  switch (state) {
    case 'shutoff':
    case 'crashed':
      return ['start'];
    case 'running':
    case 'blocked':
      return ['shutdown', 'reboot', 'pause', 'kill'];
    case 'paused':
      return ['resume', 'kill'];
    case 'shutdown':
    case 'pmsuspended':
      return ['kill'];
    default:
      return [];
  }
}

export const ACTION_LABEL: Record<RowAction, { label: string; busy: string }> = {
  start: { label: 'Start', busy: 'Starting…' },
  shutdown: { label: 'Shut down', busy: 'Asking…' },
  reboot: { label: 'Reboot', busy: 'Rebooting…' },
  pause: { label: 'Pause', busy: 'Pausing…' },
  resume: { label: 'Resume', busy: 'Resuming…' },
  kill: { label: 'Force off', busy: 'Forcing off…' },
  cancel: { label: 'Cancel shutdown', busy: 'Cancelling…' },
};

/** The job kinds that make a VM: their VM shows at once, with the job's progress. */
export const MAKING_KINDS = new Set(['create', 'clone', 'import']);

export interface PendingRow {
  job: Job;
  host: string;
  /** The VM being made, when known (a clone's new name is in its result only). */
  name: string | undefined;
  /** What the row says: "web" or "a clone of web". */
  label: string;
  /** 0..1, or undefined while the total is not known. */
  fraction: number | undefined;
}

const resultName = (job: Job): string | undefined => {
  const r = job.result as { name?: unknown } | undefined;
  return typeof r?.name === 'string' ? r.name : undefined;
};

/**
 * The VM a making job makes: a create's or an import's `vm` (an import's is its new name, when given)
 * or its result's name; a clone's `target` (when the server tells it) or its result's name.
 */
export function madeName(job: Job): string | undefined {
  if (job.kind === 'create' || job.kind === 'import') return job.vm ?? resultName(job);
  const t = (job as { target?: unknown }).target;
  return typeof t === 'string' ? t : resultName(job);
}

/**
 * The rows of VMs being made (jobs of kind create or clone), per host, oldest first: a running job
 * whose VM is not listed yet, or one that is done but whose host's list was last read before it ended
 * (the re-read that brings the new VM is on its way). Failed and cancelled jobs make no row.
 */
export function pendingRows(
  jobs: Record<string, Job>,
  vms: Record<string, HostVms>,
): Map<string, PendingRow[]> {
  const out = new Map<string, PendingRow[]>();
  const sorted = Object.values(jobs)
    .filter((j) => MAKING_KINDS.has(j.kind))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const job of sorted) {
    const name = madeName(job);
    const h = vms[job.host];
    if (name !== undefined && h?.list?.some((v) => v.name === name)) continue;
    if (job.state === 'done') {
      const ended = job.endedAt ? Date.parse(job.endedAt) : NaN;
      if (name === undefined || !(h?.loadedAt !== undefined && h.loadedAt < ended)) continue;
    } else if (job.state !== 'running') continue;
    const { done, total } = job.progress;
    const row: PendingRow = {
      job,
      host: job.host,
      name,
      label:
        name ??
        (job.kind === 'clone' && job.vm
          ? `a clone of ${job.vm}`
          : job.kind === 'import'
            ? 'an imported VM'
            : 'a new VM'),
      fraction:
        job.state === 'done'
          ? 1
          : total !== undefined && total > 0
            ? Math.min(1, Math.max(0, done / total))
            : undefined,
    };
    const rows = out.get(job.host);
    if (rows) rows.push(row);
    else out.set(job.host, [row]);
  }
  return out;
}

/** The running shutdown jobs by statsKey-like `host\nvm`: their rows show "shutting down". */
export function shutdownJobs(jobs: Record<string, Job>): Map<string, Job> {
  const out = new Map<string, Job>();
  for (const j of Object.values(jobs))
    if (j.kind === 'shutdown' && j.state === 'running' && j.vm) out.set(`${j.host}\n${j.vm}`, j);
  return out;
}

/** "205 VMs, 12 running" for a set of lists. */
export function summary(lists: readonly (readonly VmListEntry[])[]): string {
  let n = 0;
  let running = 0;
  for (const l of lists)
    for (const v of l) {
      n++;
      if (v.state === 'running' || v.state === 'blocked') running++;
    }
  return `${n} VM${n === 1 ? '' : 's'}, ${running} running`;
}
