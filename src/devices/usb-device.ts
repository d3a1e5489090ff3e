/**
 * `vm device add NAME --usb VID:PID | --usb BUS.DEVICE`, and the USB part of `vm device list` and
 * `vm device remove`. The host's USB devices come from libvirt's node devices, so this works for a
 * VM on a remote host too. A device must be plugged in to be given (an unknown id lists what the host
 * has); one that a running VM has already is refused. Persistent always; hot-plugged when it runs.
 */
import { DomainXmlFlags, type Domain, type Libvirt } from '../libvirt/index.js';
import { findVm } from '../machines/find-vm.js';
import {
  devicesOf,
  guestUsbHostdevs,
  usbHostdevOf,
  type GuestUsbHostdev,
} from '../machines/guest-devices.js';
import { childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { changeDevice, isRunning, type DeviceChange, removalPlan } from './change-device.js';
import { withDeviceAdded } from './domain-edit.js';
import { DeviceNotFoundError } from './errors.js';
import {
  hostUsbDevices,
  isRootHub,
  matchesSource,
  usbListing,
  usbName,
  type HostUsbDevice,
} from './host-usb.js';
import { hostName } from '../machines/find-vm.js';
import { UsbAmbiguousError, UsbInUseError, UsbUnknownError } from './usb-errors.js';
import { parseUsbId, usbHostdevElement, usbSourceId, type UsbSource } from './usb-xml.js';

export interface UsbAddOutcome extends DeviceChange {
  added: { id: string; vendorId: string; productId: string; bus: number; device: number; name: string };
}

/** Whether a guest's USB hostdev is that host device: by its address when it has one, else by its ids. */
export function hostdevIsDevice(h: GuestUsbHostdev, d: HostUsbDevice): boolean {
  if (h.bus !== undefined && h.device !== undefined) return h.bus === d.bus && h.device === d.device;
  return h.vendorId === d.vendorId && h.productId === d.productId;
}

/** The plugged-in device `source` names, or the typed refusal listing what the host has. */
export function pickUsbDevice(source: UsbSource, present: HostUsbDevice[], host: string): HostUsbDevice {
  const givable = present.filter((d) => !isRootHub(d));
  const matches = givable.filter((d) => matchesSource(d, source));
  const id = usbSourceId(source);
  if (matches.length === 0) throw new UsbUnknownError(id, host, givable.map(usbListing));
  if (matches.length > 1) throw new UsbAmbiguousError(id, matches.map(usbListing));
  return matches[0]!;
}

/** The running VM (other than `except`) whose live XML has the device, if any. */
export async function runningHolder(
  lv: Libvirt,
  d: HostUsbDevice,
  except: string,
): Promise<string | undefined> {
  for (const dom of await lv.domains.list()) {
    if (dom.uuid === except || !(await isRunning(dom).catch(() => false))) continue;
    const xml = await dom.xml(0).catch(() => undefined);
    if (
      xml &&
      guestUsbHostdevs(parseXml(xml, `the domain XML of ${dom.name}`)).some((h) => hostdevIsDevice(h, d))
    )
      return dom.name;
  }
  return undefined;
}

export async function addUsbDevice(lv: Libvirt, name: string, usb: string): Promise<UsbAddOutcome> {
  const source = parseUsbId(usb);
  const dom: Domain = await findVm(lv, name);
  const device = pickUsbDevice(source, await hostUsbDevices(lv), hostName(lv));
  const id = usbSourceId(source);
  const other = await runningHolder(lv, device, dom.uuid);
  if (other) throw new UsbInUseError(id, other, true);
  const element = usbHostdevElement(source);
  const change = await changeDevice(lv, name, 'device add', 'attach', (config, live) => {
    for (const x of [config, live])
      if (x && guestUsbHostdevs(x).some((h) => h.id === id || hostdevIsDevice(h, device)))
        throw new UsbInUseError(id, name, false);
    return { devices: [element], defined: withDeviceAdded(config, element), notLive: null };
  });
  return {
    ...change,
    added: {
      id,
      vendorId: device.vendorId,
      productId: device.productId,
      bus: device.bus,
      device: device.device,
      name: usbName(device),
    },
  };
}

export interface UsbDeviceEntry extends GuestUsbHostdev {
  /** What it is on the VM's host, when it is plugged in there now. */
  hostName?: string;
  /** `1.5`: where it is plugged in now. */
  hostAddress?: string;
  live?: boolean;
}

/** The VM's USB hostdevs with what each is on the host now (read through libvirt, so a remote host's too). */
export async function usbEntries(
  lv: Libvirt,
  config: XmlNode,
  live: XmlNode | null,
): Promise<UsbDeviceEntry[]> {
  const mine = guestUsbHostdevs(config);
  if (!mine.length) return [];
  const present = await hostUsbDevices(lv).catch(() => [] as HostUsbDevice[]);
  const liveIds = new Set(live ? guestUsbHostdevs(live).map((h) => h.id) : []);
  const liveProducts = new Set(
    live ? guestUsbHostdevs(live).flatMap((h) => (h.vendorId ? [`${h.vendorId}:${h.productId}`] : [])) : [],
  );
  return mine.map((h) => {
    const on = present.find((d) => hostdevIsDevice(h, d));
    return {
      ...h,
      ...(on ? { hostName: usbName(on), hostAddress: `${on.bus}.${on.device}` } : {}),
      ...(live ? { live: liveIds.has(h.id) || liveProducts.has(h.id) } : {}),
    };
  });
}

/** The `<hostdev type='usb'>` of the definition that `id` (`VID:PID` or `BUS.DEVICE`) names. */
export function usbHostdevNode(vm: string, domain: XmlNode, id: string, known: string[]): XmlNode {
  const source = parseUsbId(id);
  const want = usbSourceId(source);
  const node = childrenNamed(devicesOf(domain), 'hostdev').find((h) => usbHostdevOf(h)?.id === want);
  if (!node) throw new DeviceNotFoundError(vm, want, known);
  return node;
}

export interface UsbRemoveOutcome extends DeviceChange {
  removed: string;
}

export async function removeUsbDevice(
  lv: Libvirt,
  name: string,
  id: string,
  known: string[],
): Promise<UsbRemoveOutcome> {
  const want = usbSourceId(parseUsbId(id));
  const change = await changeDevice(lv, name, 'device remove', 'detach', (config, live) => {
    const node = usbHostdevNode(name, config, id, known);
    return removalPlan(config, live, node, {
      inLive: (l) =>
        guestUsbHostdevs(l).some((h) => h.id === want || `${h.vendorId}:${h.productId}` === want),
      notInGuest: 'the running guest does not have it (it was added for its next start)',
    });
  });
  return { ...change, removed: want };
}

/** The VM's definition's USB ids, for `device-not-found` hints. */
export async function definedUsbIds(dom: Domain): Promise<string[]> {
  const xml = await dom.xml(DomainXmlFlags.INACTIVE);
  return guestUsbHostdevs(parseXml(xml, `the domain XML of ${dom.name}`)).map((h) => h.id);
}
