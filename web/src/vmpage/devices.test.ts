import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { DeviceEntry, DeviceMap, Gpu } from '../host/types';
import {
  addedText,
  appliesText,
  liveText,
  mdevChoices,
  needsWholeGroup,
  nicRequest,
  pciChoices,
  ruleText,
  shareRequest,
  tagFromDir,
  usbChoices,
  usbRuleRequest,
} from './devices';

const dev = (address: string, name: string, bridge = false): DeviceEntry => ({
  address,
  vendorId: '10de',
  deviceId: '2484',
  class: bridge ? '060400' : '030000',
  name,
  driver: null,
  resetMethods: [],
  bridge,
});

const gpu = (address: string, name: string, mdevTypes: string[]): Gpu => ({
  address,
  name,
  vendorId: '8086',
  driver: 'i915',
  bootVga: false,
  renderNode: null,
  card: null,
  connectors: [],
  drivesDisplay: false,
  mdevTypes,
  sriovTotalVfs: 0,
});

const map: DeviceMap = {
  iommu: { enabled: true, acsOverride: false },
  groups: [
    { id: '0', verdict: 'host-critical', reasons: [], devices: [dev('0000:00:00.0', 'Host bridge', true)] },
    {
      id: '2',
      verdict: 'shared',
      reasons: [],
      devices: [
        dev('0000:00:03.1', 'Root port', true),
        dev('0000:0b:00.1', 'GA104 Audio'),
        dev('0000:0b:00.0', 'GA104'),
      ],
    },
    { id: '5', verdict: 'isolated', reasons: [], devices: [dev('0000:0a:00.0', 'NVMe')] },
  ],
  usb: [
    {
      port: '1-0:1.0',
      bus: 1,
      device: 1,
      vendorId: '1d6b',
      productId: '0002',
      name: 'root hub',
      kind: 'hub',
      speedMbps: 480,
      serial: null,
      controller: null,
    },
    {
      port: '1-2',
      bus: 1,
      device: 5,
      vendorId: '046d',
      productId: 'c52b',
      name: 'Unifying Receiver',
      kind: 'hid',
      speedMbps: 12,
      serial: null,
      controller: null,
    },
  ],
  gpus: [gpu('0000:00:02.0', 'UHD 620', ['i915-GVTg_V5_4']), gpu('0000:0b:00.0', 'GA104', [])],
};

describe('appliesText / liveText', () => {
  it('says when a change applies, with the server’s reason', () => {
    expect(appliesText({ applies: 'now', detail: 'hot-plugged, and in its definition' })).toBe(
      'Applies now — hot-plugged, and in its definition.',
    );
    expect(appliesText({ applies: 'next-start', detail: '' })).toBe('Applies at its next start.');
  });
  it('says nothing of a shut-off VM’s device, and where a running one has it', () => {
    expect(liveText(undefined)).toBeUndefined();
    expect(liveText(true)).toBe('in the guest now');
    expect(liveText(false)).toBe('at its next start');
  });
});

describe('nicRequest', () => {
  it('sends only what was given: the server picks the default network and a MAC', () => {
    expect(nicRequest({ via: 'network', source: ' ', model: 'virtio', mac: '' })).toEqual({
      ok: true,
      value: { model: 'virtio' },
    });
    expect(nicRequest({ via: 'bridge', source: 'br0', model: 'e1000e', mac: ' 52:54:00:12:34:56 ' })).toEqual(
      {
        ok: true,
        value: { bridge: 'br0', model: 'e1000e', mac: '52:54:00:12:34:56' },
      },
    );
  });
  it('needs the bridge’s name', () => {
    const r = nicRequest({ via: 'bridge', source: '', model: 'virtio', mac: '' });
    expect(!r.ok && r.error).toMatch(/Name the host bridge/);
  });
});

describe('shareRequest / tagFromDir', () => {
  it('makes the tag from the directory’s name when none is given', () => {
    expect(tagFromDir('/srv/my projects/')).toBe('my-projects');
    expect(tagFromDir('/')).toBe('');
    expect(tagFromDir(`/x/${'a'.repeat(50)}`)).toHaveLength(36);
    expect(shareRequest({ dir: ' /srv/code ', tag: '', readonly: false })).toEqual({
      ok: true,
      value: { dir: '/srv/code', tag: 'code' },
    });
    expect(shareRequest({ dir: '/srv/code', tag: 'src', readonly: true })).toEqual({
      ok: true,
      value: { dir: '/srv/code', tag: 'src', readonly: true },
    });
  });
  it('needs a directory, and a tag when the directory gives none', () => {
    expect(shareRequest({ dir: '', tag: 'x', readonly: false }).ok).toBe(false);
    const r = shareRequest({ dir: '/', tag: '', readonly: false });
    expect(!r.ok && r.error).toMatch(/tag/);
  });
});

describe('USB rules', () => {
  it('needs a rule; says what one matches', () => {
    expect(usbRuleRequest(' 1050:0407 ')).toEqual({ ok: true, value: '1050:0407' });
    expect(usbRuleRequest('  ').ok).toBe(false);
    expect(ruleText({ id: '1050:0407', vendorId: '1050', productId: '0407' })).toBe('any 1050:0407 device');
    expect(ruleText({ id: '1050:0407:K1', vendorId: '1050', productId: '0407', serial: 'K1' })).toMatch(
      /serial number K1/,
    );
  });
});

describe('the host’s choices', () => {
  it('offers PCI endpoints (never bridges) with their group’s verdict, by address', () => {
    expect(pciChoices(map).map((c) => [c.address, c.verdict, c.group])).toEqual([
      ['0000:0a:00.0', 'isolated', '5'],
      ['0000:0b:00.0', 'shared', '2'],
      ['0000:0b:00.1', 'shared', '2'],
    ]);
    expect(pciChoices(map)[1]!.label).toBe('0b:00.0 · Shared (group 2) · GA104');
    expect(pciChoices({ ...map, iommu: { enabled: false, acsOverride: false } })).toEqual([]);
    expect(pciChoices(undefined)).toEqual([]);
  });
  it('offers USB devices but hubs, and GPUs that have mediated device types', () => {
    expect(usbChoices(map)).toEqual([{ id: '046d:c52b', label: 'Unifying Receiver' }]);
    expect(mdevChoices(map)).toEqual([
      { address: '0000:00:02.0', name: 'UHD 620', types: ['i915-GVTg_V5_4'] },
    ]);
  });
});

describe('addedText / needsWholeGroup', () => {
  const change = { vm: 'w', running: false, applies: 'next-start' as const, detail: 'off' };
  it('names what was given', () => {
    expect(
      addedText({
        ...change,
        kind: 'pci',
        group: '2',
        added: [
          { address: '0000:0b:00.0', name: 'GA104' },
          { address: '0000:0b:00.1', name: 'GA104 Audio' },
        ],
        bridgesKept: ['0000:00:03.1'],
        warnings: [],
      }),
    ).toBe("Gave it 0b:00.0 GA104, 0b:00.1 GA104 Audio; its group's bridges stay with the host (00:03.1).");
    expect(
      addedText({ ...change, kind: 'usb', added: { id: '046d:c52b', name: 'Receiver', bus: 1, device: 5 } }),
    ).toBe('Gave it the USB device 046d:c52b Receiver.');
    expect(
      addedText({ ...change, kind: 'mdev', uuid: 'u-1', parent: '0000:00:02.0', type: 'i915-GVTg_V5_4' }),
    ).toBe('Gave it a i915-GVTg_V5_4 slice of 00:02.0 (mediated device u-1).');
  });
  it('tells the refusal that the whole group would fix', () => {
    expect(needsWholeGroup(new ApiError(422, { code: 'pci-needs-with-group', message: 'm' }))).toBe(true);
    expect(needsWholeGroup(new ApiError(422, { code: 'pci-refused', message: 'm' }))).toBe(false);
    expect(needsWholeGroup(new Error('x'))).toBe(false);
  });
});
