/**
 * What a domain XML gives its guest of these kinds: network cards, virtiofs shares and PCI host
 * devices, read the same way for `vm nic list`, `vm share list`, `vm device list` and `vm info`. Pure.
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
