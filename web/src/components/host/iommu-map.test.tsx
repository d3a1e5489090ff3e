import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DeviceMap, HostCheck } from '../../host/types';
import { IommuMap } from './iommu-map';

const group = {
  id: '7',
  verdict: 'isolated' as const,
  reasons: [
    '0000:0b:00.0 GA104 can be given to one guest as it is',
    'warning: ACS override is active: this isolation is pretended, not real',
  ],
  devices: [
    {
      address: '0000:0b:00.0',
      vendorId: '10de',
      deviceId: '2484',
      class: '030000',
      name: 'NVIDIA Corporation GA104',
      driver: 'vfio-pci',
      resetMethods: ['bus'],
      bridge: false,
    },
  ],
};
const map = (enabled: boolean, acsOverride: boolean): DeviceMap => ({
  iommu: { enabled, acsOverride },
  groups: enabled ? [group] : [],
  usb: [],
  gpus: [],
});

describe('IommuMap', () => {
  it('draws a group with its verdict word, its device and its warning', () => {
    const html = renderToStaticMarkup(<IommuMap map={map(true, false)} checks={[]} />);
    expect(html).toContain('data-verdict="isolated"');
    expect(html).toContain('Isolated');
    expect(html).toContain('0b:00.0');
    expect(html).toContain('VGA controller');
    expect(html).toContain('<strong>Warning:</strong>');
    expect(html).not.toContain('ACS override is active</strong>');
  });
  it('warns of an ACS override above the groups', () => {
    const html = renderToStaticMarkup(<IommuMap map={map(true, true)} checks={[]} />);
    expect(html).toContain('<strong>ACS override is active</strong>');
    expect(html).toMatch(/by DMA/);
  });
  it('the IOMMU off: says what it means, with the checks’ fixes and links to them', () => {
    const checks: HostCheck[] = [
      {
        id: 'iommu.firmware',
        status: 'warn',
        summary: 'No IOMMU',
        detail: '',
        fix: 'Turn on `AMD-Vi` in the firmware.',
      },
    ];
    const html = renderToStaticMarkup(<IommuMap map={map(false, false)} checks={checks} />);
    expect(html).toContain('The IOMMU is off: no PCI device can be given to a guest.');
    expect(html).toContain('href="#check-iommu-firmware"');
    expect(html).toContain('<code class="cmd">AMD-Vi</code>');
    expect(html).not.toContain('data-group');
  });
});
