import { posix } from 'node:path';
import { mapFact, valueOr, known, unknown, type Fact } from './fact.js';
import type { IdsDb } from './ids-db.js';
import { FALLBACK_VENDORS, fallbackClassName, isBridgeClass } from './pci-classes.js';
import type { RootFs } from './root-fs.js';

export interface MdevType {
  id: string;
  name: string | null;
  description: string | null;
  availableInstances: number | null;
  deviceApi: string | null;
}

export interface PciDevice {
  /** `0000:01:00.0` */
  address: string;
  /** 4 lowercase hex digits, no 0x. */
  vendorId: string;
  deviceId: string;
  /** 6 hex digits: class, subclass, programming interface (`030000`). */
  class: string;
  classCode: number;
  className: string;
  vendorName: string;
  deviceName: string;
  /** `vendor device` for people. */
  name: string;
  driver: string | null;
  iommuGroup: string | null;
  /** From `reset_method`; empty when the device offers no reset. */
  resetMethods: string[];
  /** Host bridges and PCI bridges stay with the host and are never assigned. */
  bridge: boolean;
  bootVga: boolean | null;
  sriov: { totalVfs: number; numVfs: number } | null;
  /** The physical function of an SR-IOV virtual function. */
  physfn: string | null;
  mdevTypes: MdevType[];
  /** The device's directory, relative to the root (`sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0`). */
  sysPath: string | null;
}

const ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const HEADER_TYPE_OFFSET = 0x0e;
const HEADER_TYPE_MASK = 0x7f;
const HEADER_TYPE_BRIDGE = 1;
const BRIDGE_BASE_CLASS = 0x06;

export function isPciAddress(name: string): boolean {
  return ADDRESS.test(name);
}

function hex4(fact: Fact<string>): string | null {
  if (!fact.known) return null;
  const m = /^0x([0-9a-fA-F]{4})$/.exec(fact.value);
  return m?.[1] ? m[1].toLowerCase() : null;
}

function mdevTypes(fs: RootFs, dir: string): MdevType[] {
  return fs.entries(`${dir}/mdev_supported_types`).map((id) => {
    const base = `${dir}/mdev_supported_types/${id}`;
    return {
      id,
      name: valueOr(fs.attr(`${base}/name`), null),
      description:
        valueOr(fs.text(`${base}/description`), null)
          ?.trim()
          .replace(/\n/g, ', ') ?? null,
      availableInstances: valueOr(fs.int(`${base}/available_instances`), null),
      deviceApi: valueOr(fs.attr(`${base}/device_api`), null),
    };
  });
}

export function deviceNames(
  ids: IdsDb | undefined,
  vendorId: string,
  deviceId: string,
  classCode: number,
): { vendorName: string; deviceName: string; className: string } {
  const vendorName = ids?.vendor(vendorId) ?? FALLBACK_VENDORS[vendorId] ?? `Vendor ${vendorId}`;
  const hex = classCode.toString(16).padStart(6, '0');
  const classNames = ids?.className(hex.slice(0, 2), hex.slice(2, 4)) ?? [];
  const className = classNames[1] ?? classNames[0] ?? fallbackClassName(classCode);
  const deviceName = ids?.device(vendorId, deviceId) ?? `${className} [${vendorId}:${deviceId}]`;
  return { vendorName, deviceName, className };
}

/** Reads one device from `sys/bus/pci/devices/<address>`; unknown when its ids are unreadable. */
export function probePciDevice(fs: RootFs, address: string, ids: IdsDb | undefined): Fact<PciDevice> {
  const dir = `sys/bus/pci/devices/${address}`;
  // One directory listing instead of failing reads: most optional attributes are absent on most devices.
  const present = new Set(fs.entries(dir));
  const opt = <T>(name: string, read: (rel: string) => Fact<T>): Fact<T> =>
    present.has(name) ? read(`${dir}/${name}`) : unknown(`${dir}/${name}: missing`);
  const vendorId = hex4(fs.attr(`${dir}/vendor`));
  const deviceId = hex4(fs.attr(`${dir}/device`));
  const classFact = fs.attr(`${dir}/class`);
  const classMatch = classFact.known ? /^0x([0-9a-fA-F]{6})$/.exec(classFact.value) : null;
  if (!vendorId || !deviceId || !classMatch?.[1])
    return unknown(`${dir}: unreadable vendor, device or class`);
  const classHex = classMatch[1].toLowerCase();
  const classCode = parseInt(classHex, 16);
  // Config space is slow to read on real hardware: only look at the header type when the class is
  // some other kind of bridge (e.g. 0x0609, a semi-transparent PCI-to-PCI bridge).
  let bridge = isBridgeClass(classCode);
  if (!bridge && classCode >> 16 === BRIDGE_BASE_CLASS) {
    const config = fs.head(`${dir}/config`, HEADER_TYPE_OFFSET + 1);
    const headerType = config.known ? config.value[HEADER_TYPE_OFFSET] : undefined;
    bridge = headerType !== undefined && (headerType & HEADER_TYPE_MASK) === HEADER_TYPE_BRIDGE;
  }
  const reset = opt('reset_method', (r) => fs.attr(r));
  const total = opt('sriov_totalvfs', (r) => fs.int(r));
  const bootVga = opt('boot_vga', (r) => fs.attr(r));
  const names = deviceNames(ids, vendorId, deviceId, classCode);
  return known({
    address,
    vendorId,
    deviceId,
    class: classHex,
    classCode,
    ...names,
    name: `${names.vendorName} ${names.deviceName}`,
    driver: valueOr(
      opt('driver', (r) => fs.linkName(r)),
      null,
    ),
    iommuGroup: valueOr(
      opt('iommu_group', (r) => fs.linkName(r)),
      null,
    ),
    resetMethods: reset.known ? reset.value.split(/\s+/).filter(Boolean) : [],
    bridge,
    bootVga: bootVga.known ? bootVga.value === '1' : null,
    sriov: total.known ? { totalVfs: total.value, numVfs: valueOr(fs.int(`${dir}/sriov_numvfs`), 0) } : null,
    physfn: valueOr(
      opt('physfn', (r) => fs.linkName(r)),
      null,
    ),
    mdevTypes: present.has('mdev_supported_types') ? mdevTypes(fs, dir) : [],
    sysPath: valueOr(
      mapFact(fs.link(dir), (target) => known(posix.join('sys/bus/pci/devices', target))),
      null,
    ),
  });
}

export interface PciFacts {
  devices: PciDevice[];
  /** Devices that could not be read, with the reason. */
  unreadable: string[];
  idsSource: string | null;
}

export function probePci(fs: RootFs, ids: IdsDb | undefined): Fact<PciFacts> {
  const list = fs.list('sys/bus/pci/devices');
  if (!list.known) return list;
  const devices: PciDevice[] = [];
  const unreadable: string[] = [];
  for (const address of list.value.filter(isPciAddress)) {
    const d = probePciDevice(fs, address, ids);
    if (d.known) devices.push(d.value);
    else unreadable.push(d.reason);
  }
  return known({ devices, unreadable, idsSource: ids?.source ?? null });
}
