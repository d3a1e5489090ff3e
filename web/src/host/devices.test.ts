import { describe, expect, it } from 'vitest';
import {
  className,
  groupOf,
  mapSummary,
  orderedDevices,
  shortAddress,
  splitReasons,
  usbSpeed,
  VERDICT,
  verdictCounts,
} from './devices';
import type { DeviceEntry, DeviceMap, GroupEntry } from './types';

const dev = (address: string, cls: string, bridge = false): DeviceEntry => ({
  address,
  vendorId: '10de',
  deviceId: '2484',
  class: cls,
  name: `device ${address}`,
  driver: null,
  resetMethods: [],
  bridge,
});

const groups: GroupEntry[] = [
  {
    id: '0',
    verdict: 'host-critical',
    reasons: ['only bridges'],
    devices: [dev('0000:00:00.0', '060000', true)],
  },
  {
    id: '2',
    verdict: 'shared',
    reasons: ['can be given only together: a, b', 'warning: 0000:0b:00.0 has only a bus reset'],
    devices: [
      dev('0000:00:03.1', '060400', true),
      dev('0000:0b:00.1', '040300'),
      dev('0000:0b:00.0', '030000'),
    ],
  },
  { id: '5', verdict: 'shared', reasons: [], devices: [dev('0000:05:00.0', '020000')] },
];
const map: DeviceMap = { iommu: { enabled: true, acsOverride: false }, groups, usb: [], gpus: [] };

describe('IOMMU map', () => {
  it('names PCI classes by subclass, else by base class', () => {
    expect(className('030000')).toBe('VGA controller');
    expect(className('010802')).toBe('NVMe controller');
    expect(className('0C0330')).toBe('USB controller');
    expect(className('048000')).toBe('Multimedia controller');
    expect(className('ff0000')).toBe('Class ff00');
  });
  it('keeps warnings apart from reasons, without their prefix', () => {
    expect(splitReasons(groups[1]!.reasons)).toEqual({
      reasons: ['can be given only together: a, b'],
      warnings: ['0000:0b:00.0 has only a bus reset'],
    });
  });
  it('lists endpoints before bridges, by address', () => {
    expect(orderedDevices(groups[1]!).map((d) => d.address)).toEqual([
      '0000:0b:00.0',
      '0000:0b:00.1',
      '0000:00:03.1',
    ]);
  });
  it('counts verdicts and says them in a sentence; the IOMMU off says so', () => {
    expect(verdictCounts(groups)).toEqual({ isolated: 0, shared: 2, 'host-critical': 1 });
    expect(mapSummary(map)).toBe('3 IOMMU groups: 2 shared, 1 host-critical.');
    expect(mapSummary({ ...map, iommu: { enabled: false, acsOverride: false }, groups: [] })).toMatch(
      /IOMMU is off/,
    );
    for (const v of Object.values(VERDICT)) expect(v.meaning).not.toBe('');
  });
  it('finds the group of an address', () => {
    expect(groupOf(map, '0000:0b:00.0')?.id).toBe('2');
    expect(groupOf(map, '0000:99:00.0')).toBeUndefined();
    expect(shortAddress('0000:0b:00.0')).toBe('0b:00.0');
    expect(shortAddress('0001:0b:00.0')).toBe('0001:0b:00.0');
  });
});

describe('USB', () => {
  it('says the speed and the USB generation', () => {
    expect(usbSpeed(1.5)).toBe('1.5 Mb/s (USB 1 low speed)');
    expect(usbSpeed(480)).toBe('480 Mb/s (USB 2)');
    expect(usbSpeed(5000)).toBe('5 Gb/s (USB 3)');
    expect(usbSpeed(null)).toBe('—');
  });
});
