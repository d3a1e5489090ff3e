import type { Gpu } from './gpu.js';
import { hostCriticalReasons } from './host-critical.js';
import type { IommuFacts } from './iommu.js';
import type { PciDevice } from './pci.js';
import { defaultSystem, probeHardware } from './probe.js';
import { RootFs } from './root-fs.js';
import { probeStorage, type StorageUse } from './storage.js';
import type { UsbDevice } from './usb.js';
import type { HostSystem } from './system.js';

export type GroupVerdict = 'isolated' | 'shared' | 'host-critical';

/** One device as `host devices --json` shows it. */
export interface DeviceEntry {
  address: string;
  vendorId: string;
  deviceId: string;
  class: string;
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

/** What `phyllo host devices --json` prints. */
export interface DeviceMap {
  iommu: { enabled: boolean; acsOverride: boolean };
  groups: GroupEntry[];
  usb: UsbDevice[];
  gpus: Gpu[];
}

/** Drivers that leave a group viable for assignment (Linux ≥ 5.19). */
const ASSIGNABLE_DRIVERS = new Set(['vfio-pci', 'pci-stub']);

function entry(d: PciDevice): DeviceEntry {
  return {
    address: d.address,
    vendorId: d.vendorId,
    deviceId: d.deviceId,
    class: d.class,
    name: d.name,
    driver: d.driver,
    resetMethods: d.resetMethods,
    bridge: d.bridge,
  };
}

function label(d: PciDevice): string {
  return `${d.address} ${d.deviceName}`;
}

/** The verdict and reasons of one IOMMU group. Pure. */
export function judgeGroup(
  members: PciDevice[],
  critical: Map<string, string[]>,
  acsOverride: boolean,
): { verdict: GroupVerdict; reasons: string[] } {
  const endpoints = members.filter((d) => !d.bridge);
  const reasons: string[] = [];
  const criticalHere = members.filter((d) => critical.has(d.address));
  let verdict: GroupVerdict;
  if (criticalHere.length) {
    verdict = 'host-critical';
    for (const d of criticalHere)
      for (const why of critical.get(d.address) ?? []) reasons.push(`${label(d)} ${why}`);
    const others = endpoints.filter((d) => !critical.has(d.address));
    if (others.length)
      reasons.push(`so ${others.map(label).join(', ')} cannot be given to a guest either (same group)`);
  } else if (endpoints.length === 0) {
    verdict = 'host-critical';
    reasons.push('only bridges: they stay with the host and are never assigned');
  } else if (endpoints.length === 1) {
    verdict = 'isolated';
    reasons.push(`${label(endpoints[0]!)} can be given to one guest as it is`);
  } else {
    verdict = 'shared';
    reasons.push(`can be given only together: ${endpoints.map(label).join(', ')}`);
  }
  const bridges = members.filter((d) => d.bridge);
  if (bridges.length && endpoints.length && verdict !== 'host-critical')
    reasons.push(`bridges stay with the host: ${bridges.map((b) => b.address).join(', ')}`);
  if (verdict !== 'host-critical') {
    for (const d of endpoints) {
      if (d.resetMethods.length === 0)
        reasons.push(
          `warning: ${d.address} has no reset method: the VM may hang at shutdown or fail to restart`,
        );
      else if (d.resetMethods.every((m) => m === 'bus'))
        reasons.push(`warning: ${d.address} has only a bus reset: everything on its slot is reset together`);
      if (d.driver && !ASSIGNABLE_DRIVERS.has(d.driver))
        reasons.push(
          `${d.address} is bound to ${d.driver}: it must be bound to vfio-pci instead to be assigned (libvirt's managed <hostdev> does that when the VM starts)`,
        );
    }
    if (acsOverride) reasons.push('warning: ACS override is active: this isolation is pretended, not real');
  }
  return { verdict, reasons };
}

export function buildDeviceMap(
  iommu: IommuFacts | null,
  devices: PciDevice[],
  gpus: Gpu[],
  storage: StorageUse[],
  usb: UsbDevice[],
): DeviceMap {
  const acsOverride = iommu?.cmdline.acsOverride != null;
  const enabled = iommu?.enabled ?? false;
  const critical = hostCriticalReasons(devices, gpus, storage);
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const groups: GroupEntry[] = (iommu?.groups ?? []).map((g) => {
    const members = g.devices.map((a) => byAddress.get(a)).filter((d): d is PciDevice => !!d);
    return { id: g.id, ...judgeGroup(members, critical, acsOverride), devices: members.map(entry) };
  });
  return { iommu: { enabled, acsOverride }, groups, usb, gpus };
}

/** Warnings about the whole map, for people. */
export function mapWarnings(map: DeviceMap): string[] {
  const warnings: string[] = [];
  if (!map.iommu.enabled)
    warnings.push(
      'IOMMU off: no PCI passthrough at all (see `phyllo host check`: iommu.firmware, iommu.kernel)',
    );
  if (map.iommu.acsOverride)
    warnings.push(
      'ACS override active (pcie_acs_override): group isolation is pretended, not real; a guest may reach host devices by DMA',
    );
  return warnings;
}

export interface HostDevicesOptions {
  root?: string;
  system?: HostSystem;
}

/** The device map plus every PCI device (the human view lists them when there are no IOMMU groups). */
export interface DeviceMapView {
  map: DeviceMap;
  pci: DeviceEntry[];
}

/** Probes the hardware and builds the map, keeping the plain PCI list for people. */
export async function probeDeviceMap(options: HostDevicesOptions = {}): Promise<DeviceMapView> {
  const root = options.root ?? '/';
  const fs = RootFs.open(root);
  const hw = probeHardware(fs);
  const devices = hw.pci.known ? hw.pci.value.devices : [];
  const storage = await probeStorage(fs, options.system ?? defaultSystem(root));
  const map = buildDeviceMap(hw.iommu.known ? hw.iommu.value : null, devices, hw.gpus, storage.uses, hw.usb);
  return { map, pci: devices.map(entry) };
}

/** The hardware map with passthrough verdicts (`phyllo host devices`). */
export async function hostDevices(options: HostDevicesOptions = {}): Promise<DeviceMap> {
  return (await probeDeviceMap(options)).map;
}
