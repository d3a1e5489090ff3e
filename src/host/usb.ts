import { valueOr } from './fact.js';
import type { IdsDb } from './ids-db.js';
import { isPciAddress } from './pci.js';
import type { RootFs } from './root-fs.js';

export type UsbKind =
  'hub' | 'keyboard' | 'mouse' | 'hid' | 'storage' | 'bluetooth' | 'audio' | 'video' | 'other';

export interface UsbDevice {
  /** sysfs name: `1-2.3` (bus 1, port 2, then port 3 of the hub behind it). */
  port: string;
  bus: number | null;
  device: number | null;
  vendorId: string;
  productId: string;
  name: string;
  kind: UsbKind;
  speedMbps: number | null;
  serial: string | null;
  /** The PCI USB controller the bus hangs off. */
  controller: string | null;
}

export interface UsbController {
  address: string;
  buses: number[];
}

const USB_CLASS = { audio: 0x01, hid: 0x03, storage: 0x08, hub: 0x09, video: 0x0e, wireless: 0xe0 } as const;
const HID_PROTOCOL = { keyboard: 1, mouse: 2 } as const;

/** What a device is, from its device class and its interfaces' classes and protocols. */
export function usbKind(
  deviceClass: number | null,
  interfaces: { cls: number; protocol: number }[],
): UsbKind {
  if (deviceClass === USB_CLASS.hub) return 'hub';
  if (interfaces.some((i) => i.cls === USB_CLASS.hid && i.protocol === HID_PROTOCOL.keyboard))
    return 'keyboard';
  if (interfaces.some((i) => i.cls === USB_CLASS.hid && i.protocol === HID_PROTOCOL.mouse)) return 'mouse';
  const classes = new Set([deviceClass, ...interfaces.map((i) => i.cls)]);
  if (classes.has(USB_CLASS.wireless)) return 'bluetooth';
  if (classes.has(USB_CLASS.storage)) return 'storage';
  if (classes.has(USB_CLASS.hid)) return 'hid';
  if (classes.has(USB_CLASS.video)) return 'video';
  if (classes.has(USB_CLASS.audio)) return 'audio';
  return 'other';
}

function hexAttr(fs: RootFs, rel: string): number | null {
  const a = fs.attr(rel);
  if (!a.known || !/^[0-9a-fA-F]+$/.test(a.value)) return null;
  return parseInt(a.value, 16);
}

/** USB devices from sys/bus/usb/devices (usb.ids is read only when there is a device to name) (root hubs `usbN` and interfaces `1-2:1.0` are not devices here). */
export function probeUsb(fs: RootFs, loadIds: () => IdsDb | undefined): UsbDevice[] {
  const all = fs.entries('sys/bus/usb/devices');
  let ids: IdsDb | undefined;
  let loaded = false;
  const names = () => {
    if (!loaded) [ids, loaded] = [loadIds(), true];
    return ids;
  };
  return all
    .filter((n) => /^\d+-[\d.]+$/.test(n))
    .flatMap((port): UsbDevice[] => {
      const dir = `sys/bus/usb/devices/${port}`;
      const vendor = fs.attr(`${dir}/idVendor`);
      const product = fs.attr(`${dir}/idProduct`);
      if (
        !vendor.known ||
        !product.known ||
        !/^[0-9a-f]{4}$/i.test(vendor.value) ||
        !/^[0-9a-f]{4}$/i.test(product.value)
      )
        return [];
      const vendorId = vendor.value.toLowerCase();
      const productId = product.value.toLowerCase();
      const interfaces = all
        .filter((n) => n.startsWith(`${port}:`))
        .map((n) => ({
          cls: hexAttr(fs, `sys/bus/usb/devices/${n}/bInterfaceClass`) ?? -1,
          protocol: hexAttr(fs, `sys/bus/usb/devices/${n}/bInterfaceProtocol`) ?? -1,
        }));
      const real = fs.resolve(dir);
      const manufacturer = valueOr(fs.attr(`${dir}/manufacturer`), null);
      const productName = valueOr(fs.attr(`${dir}/product`), null);
      const db = names();
      const vendorName = db?.vendor(vendorId) ?? manufacturer;
      const deviceName = db?.device(vendorId, productId) ?? productName;
      const speed = Number(valueOr(fs.attr(`${dir}/speed`), 'x'));
      return [
        {
          port,
          bus: valueOr(fs.int(`${dir}/busnum`), null),
          device: valueOr(fs.int(`${dir}/devnum`), null),
          vendorId,
          productId,
          name: [vendorName ?? `USB device ${vendorId}:${productId}`, deviceName].filter(Boolean).join(' '),
          kind: usbKind(hexAttr(fs, `${dir}/bDeviceClass`), interfaces),
          speedMbps: Number.isFinite(speed) ? speed : null,
          serial: valueOr(fs.attr(`${dir}/serial`), null),
          controller: real.known ? (real.value.split('/').filter(isPciAddress).pop() ?? null) : null,
        },
      ];
    });
}

/** USB controllers (PCI) and the bus numbers behind them (`sys/bus/pci/devices/<BDF>/usbN`). */
export function usbControllers(fs: RootFs, addresses: string[]): UsbController[] {
  return addresses.map((address) => ({
    address,
    buses: fs
      .entries(`sys/bus/pci/devices/${address}`)
      .filter((n) => /^usb\d+$/.test(n))
      .map((n) => Number(n.slice(3)))
      .sort((a, b) => a - b),
  }));
}
