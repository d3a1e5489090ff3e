import type { ErrorShape, HostSummary, Job, StatsSample, VmListEntry, VmState } from '../api/types';

/** The most stats samples kept per VM: ten minutes at one a second, as the server keeps. */
export const STATS_KEPT = 600;

export interface HostVms {
  /** undefined until the first list arrived. */
  list: VmListEntry[] | undefined;
  /** The last list failed (kept: the old list stays shown with this error). */
  error: ErrorShape | undefined;
  /** When the list was last read (ms since the epoch). */
  loadedAt: number | undefined;
}

export type Connection = 'connecting' | 'open' | 'closed';

export interface State {
  hosts: HostSummary[];
  vms: Record<string, HostVms>;
  jobs: Record<string, Job>;
  /** Samples per subscribed VM, keyed by statsKey(host, vm), oldest first. */
  stats: Record<string, StatsSample[]>;
  connection: Connection;
}

export const initialState: State = { hosts: [], vms: {}, jobs: {}, stats: {}, connection: 'connecting' };

export const statsKey = (host: string, vm: string) => `${host}\n${vm}`;

export type Action =
  | { type: 'connection'; status: Connection }
  | { type: 'hosts'; hosts: HostSummary[] }
  | { type: 'host-changed'; host: string; connected: boolean }
  | { type: 'vms-loaded'; host: string; list: VmListEntry[]; at: number }
  | { type: 'vms-failed'; host: string; error: ErrorShape }
  | { type: 'vm-state'; host: string; vm: string; state: VmState }
  | { type: 'vm-removed'; host: string; vm: string }
  | { type: 'jobs-loaded'; jobs: Job[] }
  | { type: 'job'; job: Job }
  | { type: 'stats-history'; host: string; vm: string; history: StatsSample[] }
  | { type: 'stats-sample'; host: string; vm: string; sample: StatsSample };
