// The host routes' answers, as the UI reads them (the same JSON as `phyllo status/host … --json`).

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'info';
export type Verdict = 'ready' | 'degraded' | 'unusable';

/** One check of GET /api/host/check. */
export interface HostCheck {
  id: string;
  status: CheckStatus;
  summary: string;
  detail: string;
  /** The next step; empty when nothing needs doing. */
  fix: string;
  sources?: { title: string; url: string }[];
}

export type KvmState = 'works' | 'broken' | 'unavailable' | 'unknown';

export interface KvmVerdictShape {
  state: KvmState;
  usable: boolean;
  summary: string;
  detail: string;
  cached?: boolean;
  testedAt?: string;
}

/** GET /api/host/check (`phyllo host check --json`); `host` holds the facts, read only in part. */
export interface HostReport {
  verdict: Verdict;
  checks: HostCheck[];
  host: { kvmVerdict?: KvmVerdictShape; [k: string]: unknown };
}

/** GET /api/status (`phyllo status --json`). */
export interface StatusReport {
  uri: string;
  hostname: string;
  libvirtVersion: string;
  hypervisor: { type: string; version: string };
  accelerators: string[];
  kvm: KvmVerdictShape;
  vms: { total: number; byState: Record<string, number> };
}

export type GroupVerdict = 'isolated' | 'shared' | 'host-critical';

export interface DeviceEntry {
  address: string;
  vendorId: string;
  deviceId: string;
  /** Six hex digits: class, subclass, programming interface (`030000`). */
  class: string;
  /** Vendor and device name (pci.ids), or the ids when unknown. */
  name: string;
  driver: string | null;
  resetMethods: string[];
  bridge: boolean;
}

export interface GroupEntry {
  id: string;
  verdict: GroupVerdict;
  reasons: string[];
  devices: DeviceEntry[];
}

export type UsbKind =
  'hub' | 'keyboard' | 'mouse' | 'hid' | 'storage' | 'bluetooth' | 'audio' | 'video' | 'other';

export interface UsbDevice {
  port: string;
  bus: number | null;
  device: number | null;
  vendorId: string;
  productId: string;
  name: string;
  kind: UsbKind;
  speedMbps: number | null;
  serial: string | null;
  controller: string | null;
}

export interface Gpu {
  address: string;
  name: string;
  vendorId: string;
  driver: string | null;
  bootVga: boolean;
  renderNode: string | null;
  card: string | null;
  connectors: { name: string; connected: boolean }[];
  drivesDisplay: boolean;
  mdevTypes: string[];
  sriovTotalVfs: number;
}

/** GET /api/host/devices (`phyllo host devices --json`). */
export interface DeviceMap {
  iommu: { enabled: boolean; acsOverride: boolean };
  groups: GroupEntry[];
  usb: UsbDevice[];
  gpus: Gpu[];
}

export type OverheadGroup = 'guests' | 'virtualization' | 'phyllome' | 'host';

export interface GroupUse {
  memoryBytes: number;
  cpuPercent: number;
  processes: number;
  top: { name: string; pid: number; memoryBytes: number }[];
}

export interface ServiceFinding {
  name: string;
  why: string;
  fix?: string;
  memoryBytes?: number;
}

/** GET /api/host/overhead (`phyllo host overhead --json`). */
export interface OverheadReport {
  memory: { totalBytes: number; availableBytes: number | null; leftForGuestsBytes: number };
  cpu: { sampleMs: number; cores: number; busyPercent: number };
  groups: Record<OverheadGroup, GroupUse>;
  services: { source: 'systemd' | 'processes'; note: string; unneeded: ServiceFinding[] };
}
