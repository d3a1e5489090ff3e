import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestMdevHostdevs, guestUsbHostdevs } from '../machines/guest-devices.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { parseUsbNodeDevice, type HostUsbDevice } from './host-usb.js';
import { hostdevIsDevice, pickUsbDevice } from './usb-device.js';
import { UsbAmbiguousError, UsbIdInvalidError, UsbUnknownError } from './usb-errors.js';
import { mdevHostdevElement, parseUsbId, parseUsbRule, ruleId, usbHostdevElement } from './usb-xml.js';

test('--usb takes VID:PID (any case, 0x allowed) or BUS.DEVICE; anything else is usb-id-invalid', () => {
  assert.deepEqual(parseUsbId('046D:C52B'), { by: 'product', vendorId: '046d', productId: 'c52b' });
  assert.deepEqual(parseUsbId('0x046d:0xc52b'), { by: 'product', vendorId: '046d', productId: 'c52b' });
  assert.deepEqual(parseUsbId('3.12'), { by: 'address', bus: 3, device: 12 });
  for (const bad of ['46d:c52b', '046d-c52b', '046d:c52b:x', '1.0', '0.5', '1.128', '1-5', 'logitech', ''])
    assert.throws(
      () => parseUsbId(bad),
      (e: unknown) => e instanceof UsbIdInvalidError && e.code === 'usb-id-invalid',
      bad,
    );
});

test('USB rules: VID:PID[:SERIAL]; a serial with quotes or spaces is refused', () => {
  assert.deepEqual(parseUsbRule('1050:0407'), { vendorId: '1050', productId: '0407' });
  assert.deepEqual(parseUsbRule('1050:0407:0012345678'), {
    vendorId: '1050',
    productId: '0407',
    serial: '0012345678',
  });
  assert.equal(ruleId(parseUsbRule('1050:0407:AB:CD')), '1050:0407:AB:CD');
  for (const bad of ['1050', '1050:0407:', "1050:0407:a'b", '1050:0407:a b', '1.5'])
    assert.throws(() => parseUsbRule(bad), UsbIdInvalidError, bad);
});

test('USB hostdev XML in both forms, and read back from a domain (libvirt adds the address it resolved)', () => {
  const byProduct = usbHostdevElement({ by: 'product', vendorId: '046d', productId: 'c52b' });
  const byAddress = usbHostdevElement({ by: 'address', bus: 1, device: 12 });
  assert.equal(
    serializeXml(byProduct),
    `<hostdev mode='subsystem' type='usb' managed='yes'>\n  <source>\n    <vendor id='0x046d'/>\n    <product id='0xc52b'/>\n  </source>\n</hostdev>\n`,
  );
  assert.equal(
    serializeXml(byAddress),
    `<hostdev mode='subsystem' type='usb' managed='yes'>\n  <source>\n    <address bus='1' device='12'/>\n  </source>\n</hostdev>\n`,
  );
  const live = parseXml(`<domain><devices>
    <hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/><product id='0xc52b'/><address bus='1' device='5'/></source></hostdev>
    <hostdev mode='subsystem' type='usb' managed='no'><source><address bus='0x2' device='010'/></source></hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='1' slot='0' function='0'/></source></hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='4B20D080-1B54-4048-85B3-A6A62D165C01'/></source></hostdev>
  </devices></domain>`);
  assert.deepEqual(guestUsbHostdevs(live), [
    { id: '046d:c52b', vendorId: '046d', productId: 'c52b', bus: 1, device: 5 },
    // Number() reads 010 as ten; libvirt (base 0) would read octal 8: we never write leading zeros.
    { id: '2.10', bus: 2, device: 10 },
  ]);
  assert.deepEqual(guestMdevHostdevs(live), [
    { uuid: '4b20d080-1b54-4048-85b3-a6a62d165c01', model: 'vfio-pci' },
  ]);
  assert.equal(
    serializeXml(mdevHostdevElement('4b20d080-1b54-4048-85b3-a6a62d165c01')),
    `<hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n  <source>\n    <address uuid='4b20d080-1b54-4048-85b3-a6a62d165c01'/>\n  </source>\n</hostdev>\n`,
  );
});

/** A node device XML as libvirt 9.0's udev backend writes one (virsh nodedev-dumpxml usb_1_5). */
const NODE_USB_1_5 = `<device>
  <name>usb_1_5</name>
  <path>/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5</path>
  <devnode type='dev'>/dev/bus/usb/001/005</devnode>
  <parent>usb_usb1</parent>
  <driver><name>usb</name></driver>
  <capability type='usb_device'>
    <bus>1</bus>
    <device>5</device>
    <product id='0xc52b'>Unifying Receiver</product>
    <vendor id='0x046d'>Logitech, Inc.</vendor>
  </capability>
</device>`;

const dev = (bus: number, device: number, vendorId: string, productId: string): HostUsbDevice => ({
  name: `usb_${bus}_${device}`,
  bus,
  device,
  vendorId,
  productId,
  vendorName: 'V',
  productName: 'P',
});

test('a usb_device node device is read; other node devices are not USB devices', () => {
  assert.deepEqual(parseUsbNodeDevice(NODE_USB_1_5), {
    name: 'usb_1_5',
    bus: 1,
    device: 5,
    vendorId: '046d',
    productId: 'c52b',
    vendorName: 'Logitech, Inc.',
    productName: 'Unifying Receiver',
    sysPath: '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5',
  });
  assert.equal(
    parseUsbNodeDevice(
      `<device><name>pci_0000_00_14_0</name><capability type='pci'><domain>0</domain></capability></device>`,
    ),
    undefined,
  );
});

test('picking the plugged-in device: unknown lists the host (root hubs left out), none says so, two of a kind ask for BUS.DEVICE', () => {
  const hub = dev(1, 1, '1d6b', '0002');
  const present = [hub, dev(1, 5, '046d', 'c52b'), dev(2, 3, '1050', '0407'), dev(2, 4, '1050', '0407')];
  assert.equal(pickUsbDevice(parseUsbId('046d:c52b'), present, 'h').name, 'usb_1_5');
  assert.equal(pickUsbDevice(parseUsbId('2.4'), present, 'h').name, 'usb_2_4');
  assert.throws(
    () => pickUsbDevice(parseUsbId('dead:beef'), present, 'h'),
    (e: unknown) =>
      e instanceof UsbUnknownError &&
      e.code === 'usb-unknown' &&
      e.hint ===
        'Its USB devices: 046d:c52b at 1.5 (V P); 1050:0407 at 2.3 (V P); 1050:0407 at 2.4 (V P). Plug the device in, or give one of these (VID:PID or BUS.DEVICE).',
  );
  assert.throws(
    () => pickUsbDevice(parseUsbId('046d:c52b'), [hub], 'this computer'),
    (e: unknown) =>
      e instanceof UsbUnknownError &&
      e.message ===
        'Unknown USB id 046d:c52b; this host has no USB devices (libvirt on this computer lists none).',
  );
  assert.throws(
    () => pickUsbDevice(parseUsbId('1050:0407'), present, 'h'),
    (e: unknown) => e instanceof UsbAmbiguousError && /2\.3, 2\.4/.test(e.hint ?? ''),
  );
  // A hostdev with an address is that device only; one by ids is any device of the kind.
  assert.equal(
    hostdevIsDevice({ id: '1050:0407', vendorId: '1050', productId: '0407', bus: 2, device: 3 }, present[3]!),
    false,
  );
  assert.equal(hostdevIsDevice({ id: '1050:0407', vendorId: '1050', productId: '0407' }, present[3]!), true);
});
