/**
 * What `--usb` and a USB rule accept, and the `<hostdev type='usb'>` elements made from them. Pure.
 * `VID:PID` (lsusb's `ID 046d:c52b`) names a kind of device and follows it to any port; `BUS.DEVICE`
 * (lsusb's `Bus 001 Device 005`) names the one device plugged in there now: its device number
 * changes each time it is plugged in.
 */
import { el, type XmlNode } from '../xml/node.js';
import { readUsbRuleText, type UsbRuleSpec } from '../machines/usb-rule-metadata.js';
import { UsbIdInvalidError } from './usb-errors.js';

export type UsbSource =
  { by: 'product'; vendorId: string; productId: string } | { by: 'address'; bus: number; device: number };

const VID_PID = /^(?:0x)?([0-9a-f]{4}):(?:0x)?([0-9a-f]{4})$/i;
const BUS_DEVICE = /^(\d{1,3})\.(\d{1,3})$/;

/** `--usb`'s value; anything else is a typed error saying the two forms. */
export function parseUsbId(text: string): UsbSource {
  const t = text.trim();
  const p = VID_PID.exec(t);
  if (p) return { by: 'product', vendorId: p[1]!.toLowerCase(), productId: p[2]!.toLowerCase() };
  const a = BUS_DEVICE.exec(t);
  // USB numbers devices 1–127 on a bus; libvirt's schema takes at most 3 digits.
  if (a && Number(a[1]) >= 1 && Number(a[2]) >= 1 && Number(a[2]) <= 127)
    return { by: 'address', bus: Number(a[1]), device: Number(a[2]) };
  throw new UsbIdInvalidError(text, 'a USB device');
}

export type { UsbRuleSpec } from '../machines/usb-rule-metadata.js';
export { ruleId } from '../machines/usb-rule-metadata.js';

/** A rule's `VID:PID[:SERIAL]`; the serial is any run of printable characters but spaces and quotes. */
export function parseUsbRule(text: string): UsbRuleSpec {
  const rule = readUsbRuleText(text);
  if (!rule) throw new UsbIdInvalidError(text, 'a USB rule');
  return rule;
}

export const usbSourceId = (s: UsbSource): string =>
  s.by === 'product' ? `${s.vendorId}:${s.productId}` : `${s.bus}.${s.device}`;

/**
 * libvirt-managed USB passthrough: QEMU's usb-host opens the device and the host's drivers let go of
 * it while the guest has it. Bus and device are written in decimal (libvirt reads them with base 0).
 */
export function usbHostdevElement(source: UsbSource): XmlNode {
  return el('hostdev', { mode: 'subsystem', type: 'usb', managed: 'yes' }, [
    el(
      'source',
      {},
      source.by === 'product'
        ? [el('vendor', { id: `0x${source.vendorId}` }), el('product', { id: `0x${source.productId}` })]
        : [el('address', { bus: String(source.bus), device: String(source.device) })],
    ),
  ]);
}

/** A mediated device by its UUID (created on the host beforehand); vfio-pci is what GPUs' types offer. */
export function mdevHostdevElement(uuid: string): XmlNode {
  return el('hostdev', { mode: 'subsystem', type: 'mdev', model: 'vfio-pci' }, [
    el('source', {}, [el('address', { uuid })]),
  ]);
}
