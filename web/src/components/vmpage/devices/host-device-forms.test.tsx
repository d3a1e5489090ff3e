import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DeviceMap } from '../../../host/types';
import { HostDeviceForms } from './host-device-forms';

const map: DeviceMap = {
  iommu: { enabled: true, acsOverride: false },
  groups: [
    {
      id: '2',
      verdict: 'shared',
      reasons: [],
      devices: [
        {
          address: '0000:0b:00.0',
          vendorId: '10de',
          deviceId: '2484',
          class: '030000',
          name: 'GA104',
          driver: null,
          resetMethods: [],
          bridge: false,
        },
      ],
    },
  ],
  usb: [],
  gpus: [],
};

const render = (m: DeviceMap | undefined, mapError?: unknown) =>
  renderToStaticMarkup(<HostDeviceForms map={m} mapError={mapError} busy={undefined} onAdd={() => {}} />);

describe('HostDeviceForms', () => {
  it('offers the host’s PCI devices with their verdicts, and labels every field', () => {
    const html = render(map);
    expect(html).toContain('1 IOMMU group: 1 shared.');
    expect(html).toContain('<option value="0000:0b:00.0">0b:00.0 · Shared (group 2) · GA104</option>');
    for (const id of ['pci-pick', 'pci-address', 'usb-id', 'mdev-gpu', 'mdev-type'])
      expect(html).toContain(`for="${id}"`);
    expect(html).toContain('This host has no USB device plugged in.');
    expect(html).toContain('No GPU of this host offers mediated devices');
  });
  it('without the host’s map (a remote host): a plain address field and the reason', () => {
    const html = render(undefined, new Error('a local host only'));
    expect(html).not.toContain('pci-pick');
    expect(html).toContain('could not be read (a local host only); type the device’s address.');
    expect(html).toContain('id="pci-address"');
  });
  it('says when the IOMMU is off', () => {
    const html = render({ ...map, iommu: { enabled: false, acsOverride: false }, groups: [] });
    expect(html).toContain('The IOMMU is off: no PCI device can be given to a guest.');
    expect(html).not.toContain('pci-pick');
  });
});
