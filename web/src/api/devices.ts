// A VM's devices in the API (README "API", docs/devices.md): network cards, shared folders, host
// devices (PCI, USB, mediated) and USB rules. Each answer is the CLI's `--json`.
import { del, get, post, vmPath } from './client';
import type { DeviceMap } from '../host/types';

/** What every change answers: `now` (the running guest has it) or `next-start` (its definition only). */
export interface DeviceChange {
  vm: string;
  running: boolean;
  applies: 'now' | 'next-start';
  detail: string;
}

export type NicModel = 'virtio' | 'e1000e';

export interface Nic {
  index: number;
  type: string;
  source?: string;
  model?: string;
  mac?: string;
  /** Whether the running guest has it now; absent when the VM is shut off. */
  live?: boolean;
}

export interface NicAdd {
  network?: string;
  bridge?: string;
  model?: NicModel;
  mac?: string;
}

export interface NicAdded extends DeviceChange {
  nic: { type: 'network' | 'bridge'; source: string; model: NicModel; mac?: string };
  warnings: string[];
}

export interface Share {
  tag: string;
  dir: string;
  readonly: boolean;
  driver: string;
  live?: boolean;
}

export interface ShareAdded extends DeviceChange {
  share: Share;
  /** The guest's mount command (`mount -t virtiofs TAG /mnt`). */
  mount: string;
  sharedMemoryAdded: boolean;
  warnings: string[];
}

export interface PciHostdev {
  address: string;
  managed: boolean;
  hostName?: string;
  hostDriver?: string | null;
  live?: boolean;
}

export interface UsbHostdev {
  id: string;
  vendorId?: string;
  productId?: string;
  hostName?: string;
  hostAddress?: string;
  live?: boolean;
}

export interface MdevHostdev {
  uuid: string;
  model: string;
  live?: boolean;
}

export interface DeviceList {
  vm: string;
  running: boolean;
  devices: PciHostdev[];
  usb: UsbHostdev[];
  mdev: MdevHostdev[];
}

export type HostDeviceAdd =
  { pci: string; withGroup?: boolean } | { usb: string } | { gpu: string; mdev: string };

export type HostDeviceAdded = DeviceChange &
  (
    | {
        kind: 'pci';
        group: string;
        added: { address: string; name: string }[];
        bridgesKept: string[];
        warnings: string[];
      }
    | { kind: 'usb'; added: { id: string; name: string; bus: number; device: number } }
    | { kind: 'mdev'; uuid: string; parent: string; type: string }
  );

export type HostDeviceRemoved = DeviceChange & { kind: 'pci' | 'usb' | 'mdev'; removed: string };

export interface UsbRule {
  id: string;
  vendorId: string;
  productId: string;
  serial?: string;
}

export interface UsbRuleChange {
  vm: string;
  rule: string;
  rules: string[];
  running: boolean;
}

const q = (host: string) => ({ host });
const part = (s: string) => `/${encodeURIComponent(s)}`;

export const nics = (host: string, name: string) =>
  get<{ vm: string; running: boolean; nics: Nic[] }>(vmPath(name, '/nics'), q(host));
export const addNic = (host: string, name: string, body: NicAdd) =>
  post<NicAdded>(vmPath(name, '/nics'), body, q(host));
/** By MAC address or index. */
export const removeNic = (host: string, name: string, nic: string) =>
  del<DeviceChange & { removed: Nic }>(vmPath(name, `/nics${part(nic)}`), q(host));

export const shares = (host: string, name: string) =>
  get<{ vm: string; running: boolean; shares: Share[] }>(vmPath(name, '/shares'), q(host));
export const addShare = (
  host: string,
  name: string,
  body: { dir: string; tag: string; readonly?: boolean },
) => post<ShareAdded>(vmPath(name, '/shares'), body, q(host));
export const removeShare = (host: string, name: string, tag: string) =>
  del<DeviceChange & { removed: Share }>(vmPath(name, `/shares${part(tag)}`), q(host));

export const hostdevs = (host: string, name: string) => get<DeviceList>(vmPath(name, '/devices'), q(host));
export const addHostdev = (host: string, name: string, body: HostDeviceAdd) =>
  post<HostDeviceAdded>(vmPath(name, '/devices'), body, q(host));
/** A PCI address, a USB id (VID:PID or BUS.DEVICE) or a mediated device's UUID. */
export const removeHostdev = (host: string, name: string, id: string) =>
  del<HostDeviceRemoved>(vmPath(name, `/devices${part(id)}`), q(host));

export const usbRules = (host: string, name: string) =>
  get<{ vms: { vm: string; rules: UsbRule[] }[] }>(vmPath(name, '/usb-rules'), q(host));
export const addUsbRule = (host: string, name: string, rule: string) =>
  post<UsbRuleChange>(vmPath(name, '/usb-rules'), { rule }, q(host));
export const removeUsbRule = (host: string, name: string, rule: string) =>
  del<UsbRuleChange>(vmPath(name, `/usb-rules${part(rule)}`), q(host));

/** The host's device map (`phyllo host devices --json`), to choose from; a local host only. */
export const hostDeviceMap = (host: string) => get<DeviceMap>('/api/host/devices', q(host));
