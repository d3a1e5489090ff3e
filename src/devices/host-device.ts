/**
 * One entry point for `vm device add|remove` in the CLI and the API: which of PCI passthrough, USB
 * passthrough or a mediated device a request means. Add names its kind (`pci`, `usb` or `gpu` +
 * `mdev`); remove tells it by the shape of the id (a UUID is a mediated device, `VID:PID` or
 * `BUS.DEVICE` a USB device, anything else a PCI address).
 */
import type { Libvirt } from '../libvirt/index.js';
import { InvalidInputError } from '../errors.js';
import { findVm } from '../machines/find-vm.js';
import {
  addMdevDevice,
  removeMdevDevice,
  type MdevAddOutcome,
  type MdevRemoveOutcome,
} from './mdev-device.js';
import {
  addPciDevice,
  removeHostDevice,
  type DeviceRemoveOutcome,
  type PciAddOutcome,
  type PciAddRequest,
} from './pci-device.js';
import {
  addUsbDevice,
  definedUsbIds,
  removeUsbDevice,
  type UsbAddOutcome,
  type UsbRemoveOutcome,
} from './usb-device.js';

/** What `vm device add` can give: exactly one of these. */
export interface HostDeviceAddRequest {
  pci?: string;
  withGroup?: boolean;
  usb?: string;
  gpu?: string;
  mdev?: string;
  /** The host root to read the facts below (tests: a fixture tree); default `/`. */
  root?: string;
}

export type HostDeviceAddOutcome =
  ({ kind: 'pci' } & PciAddOutcome) | ({ kind: 'usb' } & UsbAddOutcome) | ({ kind: 'mdev' } & MdevAddOutcome);

export type HostDeviceRemoveOutcome =
  | ({ kind: 'pci' } & DeviceRemoveOutcome)
  | ({ kind: 'usb' } & UsbRemoveOutcome)
  | ({ kind: 'mdev' } & MdevRemoveOutcome);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** USB's shapes: `VID:PID` or `BUS.DEVICE`. */
const USB_ID = /^(?:0x)?[0-9a-f]{4}:(?:0x)?[0-9a-f]{4}$|^\d{1,3}\.\d{1,3}$/i;

/** Which kind a device id of `vm device remove` names. */
export function deviceKindOf(device: string): 'pci' | 'usb' | 'mdev' {
  return UUID.test(device) ? 'mdev' : USB_ID.test(device) ? 'usb' : 'pci';
}

/**
 * Refuses a request that names no device, or more than one, or half of `gpu` + `mdev`. The messages
 * name the CLI's flags, as every API message does (the body's fields are the flags in camelCase).
 */
export function checkAddRequest(vm: string, req: HostDeviceAddRequest): 'pci' | 'usb' | 'mdev' {
  const flag = '--';
  const given = (['pci', 'usb', 'gpu'] as const).filter((k) => typeof req[k] === 'string');
  if (given.length !== 1)
    throw new InvalidInputError(
      given.length
        ? `vm device add takes one device at a time (got ${given.map((k) => flag + k).join(' and ')})`
        : `vm device add needs the device: ${flag}pci ADDR, ${flag}usb VID:PID|BUS.DEVICE or ${flag}gpu ADDR ${flag}mdev TYPE`,
      {
        hint: `phyllo host devices lists them; then phyllo vm device add ${vm} --pci 0000:0b:00.0 (or --usb 046d:c52b)`,
      },
    );
  if ((typeof req.gpu === 'string') !== (typeof req.mdev === 'string'))
    throw new InvalidInputError(
      `${flag}gpu and ${flag}mdev go together: the GPU to slice and the type of slice`,
      {
        hint: `phyllo host devices shows each GPU's mediated device types; then phyllo vm device add ${vm} --gpu 0000:00:02.0 --mdev i915-GVTg_V5_4`,
      },
    );
  if (req.withGroup === true && given[0] !== 'pci')
    throw new InvalidInputError(
      `--with-group is for PCI devices only: it adds the rest of their IOMMU group`,
      { hint: `phyllo vm device add ${vm} --pci ADDR --with-group` },
    );
  return given[0] === 'gpu' ? 'mdev' : (given[0] as 'pci' | 'usb');
}

export async function addHostDevice(
  lv: Libvirt,
  name: string,
  req: HostDeviceAddRequest,
): Promise<HostDeviceAddOutcome> {
  const kind = checkAddRequest(name, req);
  const root = req.root === undefined ? {} : { root: req.root };
  if (kind === 'usb') return { kind, ...(await addUsbDevice(lv, name, req.usb as string)) };
  if (kind === 'mdev')
    return {
      kind,
      ...(await addMdevDevice(lv, name, { gpu: req.gpu as string, type: req.mdev as string, ...root })),
    };
  const pci: PciAddRequest = { address: req.pci as string, withGroup: req.withGroup === true, ...root };
  return { kind, ...(await addPciDevice(lv, name, pci)) };
}

export async function removeHostDeviceById(
  lv: Libvirt,
  name: string,
  device: string,
): Promise<HostDeviceRemoveOutcome> {
  const kind = deviceKindOf(device);
  if (kind === 'mdev') return { kind, ...(await removeMdevDevice(lv, name, device)) };
  if (kind === 'usb') {
    const known = await definedUsbIds(await findVm(lv, name));
    return { kind, ...(await removeUsbDevice(lv, name, device, known)) };
  }
  return { kind, ...(await removeHostDevice(lv, name, device)) };
}
