/**
 * What a domain XML gives its guest of these kinds: network cards, virtiofs shares and host devices
 * (PCI, USB, mediated), read the same way for `vm nic list`, `vm share list`, `vm device list` and `vm info`. Pure.
 */
import { child, childrenNamed, type XmlNode } from '../xml/node.js';

export interface GuestNic {
  /** Its place among the VM's `<interface>` elements, from 0 (what `vm nic remove NAME INDEX` takes). */
  index: number;
  /** `network`, `bridge`, `user`, `direct`, … */
  type: string;
  /** The libvirt network or host bridge it joins (absent for user networking). */
  source?: string;
  model?: string;
  /** Absent only in XML libvirt has not filled in (libvirt always gives a defined NIC one). */
  mac?: string;
}

export interface GuestShare {
  tag: string;
  dir: string;
  readonly: boolean;
  /** `virtiofs`, or another driver (9p's `path`) for a share Phyllome did not make. */
  driver: string;
}

export interface GuestHostdev {
  /** `0000:0b:00.0`. */
  address: string;
  managed: boolean;
}

const hex = (v: string | undefined, width: number): string =>
  (v ?? '0').replace(/^0x/i, '').toLowerCase().padStart(width, '0');

/** The `<devices>` of a domain. */
export function devicesOf(domain: XmlNode): XmlNode | undefined {
  return child(domain, 'devices');
}

export function guestNics(domain: XmlNode): GuestNic[] {
  return childrenNamed(devicesOf(domain), 'interface').map((n, index) => {
    const src = child(n, 'source');
    const source = src?.attrs.network ?? src?.attrs.bridge ?? src?.attrs.dev;
    const model = child(n, 'model')?.attrs.type;
    const mac = child(n, 'mac')?.attrs.address?.toLowerCase();
    return {
      index,
      type: n.attrs.type ?? 'unknown',
      ...(source ? { source } : {}),
      ...(model ? { model } : {}),
      ...(mac ? { mac } : {}),
    };
  });
}

export function guestShares(domain: XmlNode): GuestShare[] {
  return childrenNamed(devicesOf(domain), 'filesystem').map((f) => ({
    tag: child(f, 'target')?.attrs.dir ?? '',
    dir: child(f, 'source')?.attrs.dir ?? '',
    readonly: child(f, 'readonly') !== undefined,
    driver: child(f, 'driver')?.attrs.type ?? 'path',
  }));
}

/** The PCI address of a `<hostdev type='pci'>`'s source, as sysfs writes it. */
export function hostdevAddress(hostdev: XmlNode): string | undefined {
  const a = child(child(hostdev, 'source'), 'address');
  if (!a) return undefined;
  return `${hex(a.attrs.domain, 4)}:${hex(a.attrs.bus, 2)}:${hex(a.attrs.slot, 2)}.${hex(a.attrs.function, 1)}`;
}

export function guestHostdevs(domain: XmlNode): GuestHostdev[] {
  const out: GuestHostdev[] = [];
  for (const h of childrenNamed(devicesOf(domain), 'hostdev')) {
    if (h.attrs.mode !== 'subsystem' || h.attrs.type !== 'pci') continue;
    const address = hostdevAddress(h);
    if (address) out.push({ address, managed: h.attrs.managed === 'yes' });
  }
  return out;
}

/**
 * A USB host device given to the guest, as its `<hostdev type='usb'>` names it: by vendor and
 * product (it follows the device to any port), by host bus and device number (that device only,
 * until it is unplugged), or both (libvirt adds the address it resolved to a running guest's XML).
 */
export interface GuestUsbHostdev {
  /** How `vm device remove` names it: `046d:c52b` for vendor/product, `1.5` for bus/device. */
  id: string;
  vendorId?: string;
  productId?: string;
  bus?: number;
  device?: number;
}

/** A USB id attribute (`0x046d`) as four lower-case hex digits. */
const usbHex = (v: string | undefined): string | undefined =>
  v === undefined ? undefined : hex(v, 4).slice(-4);

/** libvirt reads bus and device numbers with base 0 (`5`, `0x5`); we write them in decimal. */
function usbNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function usbHostdevOf(hostdev: XmlNode): GuestUsbHostdev | undefined {
  if (hostdev.attrs.mode !== 'subsystem' || hostdev.attrs.type !== 'usb') return undefined;
  const src = child(hostdev, 'source');
  const vendorId = usbHex(child(src, 'vendor')?.attrs.id);
  const productId = usbHex(child(src, 'product')?.attrs.id);
  const address = child(src, 'address');
  const bus = usbNumber(address?.attrs.bus);
  const device = usbNumber(address?.attrs.device);
  const byProduct = vendorId !== undefined && productId !== undefined;
  if (!byProduct && (bus === undefined || device === undefined)) return undefined;
  return {
    id: byProduct ? `${vendorId}:${productId}` : `${bus}.${device}`,
    ...(byProduct ? { vendorId, productId } : {}),
    ...(bus !== undefined && device !== undefined ? { bus, device } : {}),
  };
}

export function guestUsbHostdevs(domain: XmlNode): GuestUsbHostdev[] {
  return childrenNamed(devicesOf(domain), 'hostdev').flatMap((h) => usbHostdevOf(h) ?? []);
}

/** A mediated device given to the guest (`<hostdev type='mdev'>`), by its UUID on the host. */
export interface GuestMdevHostdev {
  uuid: string;
  model: string;
}

export function guestMdevHostdevs(domain: XmlNode): GuestMdevHostdev[] {
  return childrenNamed(devicesOf(domain), 'hostdev').flatMap((h) => {
    const uuid = child(child(h, 'source'), 'address')?.attrs.uuid;
    return h.attrs.mode === 'subsystem' && h.attrs.type === 'mdev' && uuid
      ? [{ uuid: uuid.toLowerCase(), model: h.attrs.model ?? 'vfio-pci' }]
      : [];
  });
}
