import type { XmlNode } from '../xml/node.js';

export type DomainType = 'kvm' | 'qemu';
export type CpuMode = 'host-passthrough' | 'host-model' | 'maximum' | 'custom';
export type ClockOffset = 'utc' | 'localtime';
export type LifecycleAction =
  'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart';

/** Our `phyllome:vm` metadata. */
export interface PhyllomeMetadata {
  profile: string;
  os: string;
  modelVersion: number;
  /** The options the user gave, as strings. */
  options: Record<string, string>;
  /** Other children of `phyllome:vm` (the disk chains and snapshots, docs/disk-chains.md), kept as they are. */
  extra?: XmlNode[];
}

export interface OsSpec {
  arch: string;
  machine: string;
  firmware?: 'efi' | 'bios';
  /** Firmware features for libvirt's automatic firmware selection. */
  firmwareFeatures?: { secureBoot: boolean; enrolledKeys: boolean };
  loaderSecure?: boolean;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  boot: ('hd' | 'cdrom' | 'network')[];
  extra: XmlNode[];
}

/** The Hyper-V enlightenments the model knows, in dependency order (vpindex before synic, synic before stimer…). */
export const HYPERV_ENLIGHTENMENTS = [
  'relaxed',
  'vapic',
  'spinlocks',
  'vpindex',
  'runtime',
  'synic',
  'stimer',
  'reset',
  'frequencies',
  'tlbflush',
  'ipi',
] as const;

export interface HypervSpec {
  relaxed?: boolean;
  vapic?: boolean;
  spinlocks?: number;
  vpindex?: boolean;
  runtime?: boolean;
  synic?: boolean;
  stimer?: boolean;
  reset?: boolean;
  frequencies?: boolean;
  tlbflush?: boolean;
  ipi?: boolean;
}

export interface FeaturesSpec {
  acpi: boolean;
  apic: boolean;
  smm?: boolean;
  vmportOff?: boolean;
  hyperv?: HypervSpec;
  extra: XmlNode[];
}

export interface CpuSpec {
  mode: CpuMode;
  model?: string;
  migratable?: boolean;
  topology: { sockets: number; dies: number; cores: number; threads: number };
  features: { policy: 'require' | 'disable' | 'optional'; name: string }[];
  extra: XmlNode[];
}

export interface TimerSpec {
  name: 'rtc' | 'pit' | 'hpet' | 'kvmclock' | 'hypervclock' | 'tsc';
  present?: boolean;
  tickpolicy?: 'catchup' | 'delay' | 'merge' | 'discard';
}

export interface DiskSpec {
  device: 'disk' | 'cdrom';
  bus: 'virtio' | 'sata' | 'ide' | 'scsi' | 'usb';
  target: string;
  source?: string;
  format?: 'qcow2' | 'raw';
  cache?: 'none' | 'writeback';
  io?: 'native' | 'threads';
  discard?: 'unmap' | 'ignore';
  readonly?: boolean;
  extra: XmlNode[];
}

export interface InterfaceSpec {
  type: 'network' | 'user';
  network?: string;
  backend?: 'passt';
  model: string;
  mac?: string;
  extra: XmlNode[];
}

export interface GraphicsSpec {
  type: 'spice' | 'vnc';
  /** `socket`: a UNIX socket (libvirt names it in the VM's private directory unless `socket` is set). */
  listen: 'none' | 'address' | 'socket';
  address?: string;
  socket?: string;
  gl?: { renderNode: string };
}

export interface DevicesSpec {
  emulator?: string;
  disks: DiskSpec[];
  controllers: { type: string; model?: string; index?: number; ports?: number }[];
  interfaces: InterfaceSpec[];
  graphics: GraphicsSpec[];
  videos: { model: string; heads?: number; accel3d?: boolean; primary?: boolean }[];
  inputs: { type: 'tablet' | 'keyboard' | 'mouse'; bus: 'virtio' | 'usb' | 'ps2' }[];
  tpm?: { model: 'tpm-crb' | 'tpm-tis'; version: '2.0' | '1.2' };
  rng?: { model: 'virtio'; source: string };
  memballoon: { model: 'virtio' | 'none'; autodeflate?: boolean; freePageReporting?: boolean };
  channels: { type: 'unix' | 'spicevmc'; name: string }[];
  serials: { type: 'pty'; log?: string }[];
  consoles: { type: 'pty'; target: 'serial' | 'virtio' }[];
  extra: XmlNode[];
}

/** A libvirt domain as the model sees it. Unknown XML is kept in `extra` lists and written back. */
export interface DomainSpec {
  type: DomainType;
  name: string;
  uuid?: string;
  title?: string;
  description?: string;
  metadata: { libosinfoId?: string; phyllome?: PhyllomeMetadata; extra: XmlNode[] };
  memoryKiB: number;
  currentMemoryKiB?: number;
  memoryBacking?: { source: 'memfd' | 'file' | 'anonymous'; access: 'shared' | 'private' };
  vcpus: number;
  os: OsSpec;
  features: FeaturesSpec;
  cpu: CpuSpec;
  clock: { offset: ClockOffset; timers: TimerSpec[] };
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
  pm?: { suspendToMem: boolean; suspendToDisk: boolean };
  devices: DevicesSpec;
  extra: XmlNode[];
}
