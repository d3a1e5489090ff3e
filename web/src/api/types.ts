// The shapes the UI reads from the API (docs/api.md; the same JSON as the CLI's --json).

export type VmState =
  | 'nostate'
  | 'running'
  | 'blocked'
  | 'paused'
  | 'shutdown'
  | 'shutoff'
  | 'crashed'
  | 'pmsuspended'
  | 'unknown';

export interface HostSummary {
  id: string;
  uri: string;
  connected: boolean;
}

export interface VmDiskUse {
  target?: string;
  allocationBytes?: number | null;
  capacityBytes?: number | null;
  [k: string]: unknown;
}

/** One VM, as GET /api/vms lists it. */
export interface VmListEntry {
  name: string;
  uuid: string;
  state: VmState;
  os: string | null;
  vcpus: number | null;
  memoryBytes: number | null;
  disks: VmDiskUse[];
  diskAllocationBytes: number | null;
  diskCapacityBytes: number | null;
  uptimeSeconds: number | null;
  cpuPercent: number | null;
  memoryInUseBytes: number | null;
}

export interface JobProgress {
  phase: string;
  done: number;
  total?: number;
  unit: string;
  rate?: number;
  [k: string]: unknown;
}

export interface ErrorShape {
  code: string;
  message: string;
  hint?: string;
}

export interface Job {
  id: string;
  kind: string;
  host: string;
  vm?: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: JobProgress;
  startedAt: string;
  endedAt?: string;
  result?: unknown;
  error?: ErrorShape;
}

/** A stats sample of a subscribed VM (one a second). */
export interface StatsSample {
  at: string;
  state: VmState;
  vcpus: number | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryInUseBytes: number | null;
  diskReadBytesPerSecond: number | null;
  diskWriteBytesPerSecond: number | null;
  netRxBytesPerSecond: number | null;
  netTxBytesPerSecond: number | null;
}

/** What /api/events sends (docs/api.md, "Events"). */
export type ServerEvent =
  | { type: 'hello'; hosts: HostSummary[] }
  | { type: 'lifecycle'; host: string; vm: string; uuid: string; at: string; event: string; detail: string }
  | { type: 'reboot'; host: string; vm: string; uuid: string; at: string }
  | {
      type: 'device-added' | 'device-removed' | 'tray-change' | 'disk-change';
      host: string;
      vm: string;
      uuid: string;
      at: string;
      device?: string;
    }
  | { type: 'job-progress' | 'job-end'; job: Job }
  | { type: 'host'; host: string; uri: string; connected: boolean; at: string; error?: { error: ErrorShape } }
  | { type: 'subscribed'; host: string; vm: string; history: StatsSample[] }
  | { type: 'stats'; host: string; vm: string; sample: StatsSample }
  | { type: 'unsubscribed'; host: string; vm: string }
  | { type: 'error'; error: ErrorShape; request?: unknown }
  | { type: 'resync'; dropped: number };

/** GET /api/os: the first-class profiles, with ?all=true every osinfo-db entry too. */
export interface OsProfile {
  id: string;
  name: string;
  family: string;
  osinfo?: string;
}
export interface OsinfoEntry {
  shortId: string;
  name: string;
  family: string;
}
export interface OsList {
  profiles: OsProfile[];
  osinfo?: OsinfoEntry[];
}

/** One decision of the model: what it chose and why. */
export interface Decision {
  topic: string;
  choice: string;
  reason: string;
  [k: string]: unknown;
}

/** GET /api/os/{id}/explain. */
export interface OsExplanation {
  os: { requestedId: string; profile: string; name: string; notes?: string[]; [k: string]: unknown };
  decisions: Decision[];
  warnings: string[];
}

/** The OS an installer ISO was found to install (POST /api/vms with `iso` and no `os`). */
export interface DetectedOs {
  os: string;
  name: string;
  reason: string;
  alsoMatches: string[];
  [k: string]: unknown;
}

/** POST /api/vms?printXml=true: the model's XML, defining nothing. */
export interface PreviewedVm {
  name: string;
  xml: string;
  decisions: Decision[];
  warnings: string[];
  detected?: DetectedOs;
}

/** POST /api/vms: the created VM. */
export interface CreatedVm extends PreviewedVm {
  uuid: string;
  disk?: string;
  network?: { name: string; defined: boolean; started: boolean };
  state?: string;
}
