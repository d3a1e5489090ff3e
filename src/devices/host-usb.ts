/**
 * The USB devices plugged into the VM's host, as libvirt's node devices describe them
 * (`virsh nodedev-list --cap usb_device`): read through the connection, so a remote host's too.
 * libvirt's XML has the ids, names and bus/device numbers but not the serial number; that is read
 * from the device's sysfs directory (libvirt gives its path) when the host is this machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound, NodeDeviceListFlags, type Libvirt } from '../libvirt/index.js';
import { child, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import type { UsbListing } from './usb-errors.js';
import type { UsbSource } from './usb-xml.js';

export interface HostUsbDevice {
  /** The node device's name: `usb_1_5`. */
  name: string;
  bus: number;
  device: number;
  vendorId: string;
  productId: string;
  /** libvirt's words from usb.ids: `Logitech, Inc.`, `Unifying Receiver`; empty when it has none. */
  vendorName: string;
  productName: string;
  /** Its sysfs directory on the host (`/sys/devices/…/usb1/1-5`), when libvirt says it. */
  sysPath?: string;
}

const hex4 = (v: string | undefined): string | undefined => {
  const m = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(v?.trim() ?? '');
  return m ? m[1]!.toLowerCase().padStart(4, '0') : undefined;
};

/** One node device's XML as a USB device, or undefined when it has no usb_device capability. */
export function parseUsbNodeDevice(xml: string): HostUsbDevice | undefined {
  const root = parseXml(xml, 'a node device XML');
  const cap = root.children.find((c) => c.name === 'capability' && c.attrs.type === 'usb_device');
  if (!cap) return undefined;
  const num = (n: XmlNode | undefined) => Number(n?.text?.trim() ?? NaN);
  const vendor = child(cap, 'vendor');
  const product = child(cap, 'product');
  const vendorId = hex4(vendor?.attrs.id);
  const productId = hex4(product?.attrs.id);
  const bus = num(child(cap, 'bus'));
  const device = num(child(cap, 'device'));
  const name = child(root, 'name')?.text?.trim();
  if (!name || !vendorId || !productId || !Number.isInteger(bus) || !Number.isInteger(device))
    return undefined;
  const sysPath = child(root, 'path')?.text?.trim();
  return {
    name,
    bus,
    device,
    vendorId,
    productId,
    vendorName: vendor?.text?.trim() ?? '',
    productName: product?.text?.trim() ?? '',
    ...(sysPath ? { sysPath } : {}),
  };
}

/** Every USB device on the connection's host (root hubs included: libvirt lists them too). */
export async function hostUsbDevices(lv: Libvirt): Promise<HostUsbDevice[]> {
  const nodes = await lv.nodeDevices.list(NodeDeviceListFlags.CAP_USB_DEV);
  const out: HostUsbDevice[] = [];
  for (const n of nodes) {
    // A device unplugged between the list and this read is simply gone.
    const xml = await n.xml().catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const d = xml === undefined ? undefined : parseUsbNodeDevice(xml);
    if (d) out.push(d);
  }
  return out.sort((a, b) => a.bus - b.bus || a.device - b.device);
}

/** The node device of that name as a USB device; undefined when it is gone or not USB. */
export async function hostUsbDevice(lv: Libvirt, name: string): Promise<HostUsbDevice | undefined> {
  try {
    return parseUsbNodeDevice(await (await lv.nodeDevices.lookup(name)).xml());
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A root hub (vendor 1d6b, the Linux Foundation) is the bus itself, never a device to give away. */
export const isRootHub = (d: HostUsbDevice): boolean => d.vendorId === '1d6b';

export const usbName = (d: HostUsbDevice): string =>
  [d.vendorName, d.productName].filter(Boolean).join(' ') || 'unnamed device';

export const usbListing = (d: HostUsbDevice): UsbListing => ({
  id: `${d.vendorId}:${d.productId}`,
  address: `${d.bus}.${d.device}`,
  name: usbName(d),
});

export function matchesSource(d: HostUsbDevice, s: UsbSource): boolean {
  return s.by === 'product'
    ? d.vendorId === s.vendorId && d.productId === s.productId
    : d.bus === s.bus && d.device === s.device;
}

/**
 * The device's serial number from sysfs below `root`, null when it has none or it cannot be read
 * from here (no sysfs path, or the path is on another host).
 */
export function localUsbSerial(d: HostUsbDevice, root = '/'): string | null {
  if (!d.sysPath?.startsWith('/sys/')) return null;
  try {
    return readFileSync(join(root, d.sysPath, 'serial'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
