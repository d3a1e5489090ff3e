import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeGroup } from './devices.js';
import { hostCriticalReasons } from './host-critical.js';
import type { PciDevice } from './pci.js';

function dev(address: string, classCode: number, extra: Partial<PciDevice> = {}): PciDevice {
  return {
    address,
    vendorId: '10de',
    deviceId: '0001',
    class: classCode.toString(16).padStart(6, '0'),
    classCode,
    className: 'x',
    vendorName: 'V',
    deviceName: `dev ${address}`,
    name: `V dev ${address}`,
    driver: 'vfio-pci',
    iommuGroup: '1',
    resetMethods: ['flr'],
    bridge: classCode >> 8 === 0x0604 || classCode >> 8 === 0x0600,
    bootVga: null,
    sriov: null,
    physfn: null,
    mdevTypes: [],
    sysPath: null,
    ...extra,
  };
}

const none = new Map<string, string[]>();

test('one endpoint behind a bridge is isolated; the bridge stays with the host', () => {
  const j = judgeGroup(
    [dev('0000:00:01.0', 0x060400, { driver: 'pcieport', resetMethods: [] }), dev('0000:01:00.0', 0x030000)],
    none,
    false,
  );
  assert.equal(j.verdict, 'isolated');
  assert.deepEqual(j.reasons, [
    '0000:01:00.0 dev 0000:01:00.0 can be given to one guest as it is',
    'bridges stay with the host: 0000:00:01.0',
  ]);
});

test('two endpoints are shared; missing and bus-only resets and host drivers are named', () => {
  const j = judgeGroup(
    [
      dev('0000:01:00.0', 0x030000, { resetMethods: ['bus'] }),
      dev('0000:01:00.1', 0x040300, { resetMethods: [], driver: 'snd_hda_intel' }),
    ],
    none,
    false,
  );
  assert.equal(j.verdict, 'shared');
  assert.deepEqual(j.reasons, [
    'can be given only together: 0000:01:00.0 dev 0000:01:00.0, 0000:01:00.1 dev 0000:01:00.1',
    'warning: 0000:01:00.0 has only a bus reset: everything on its slot is reset together',
    'warning: 0000:01:00.1 has no reset method: the VM may hang at shutdown or fail to restart',
    "0000:01:00.1 is bound to snd_hda_intel: it must be bound to vfio-pci instead to be assigned (libvirt's managed <hostdev> does that when the VM starts)",
  ]);
});

test('a host-critical device makes its whole group host-critical; ACS override is flagged on others', () => {
  const critical = new Map([['0000:01:00.0', ['holds the root file system (/ on nvme0n1p2)']]]);
  const j = judgeGroup([dev('0000:01:00.0', 0x010802), dev('0000:02:00.0', 0x030000)], critical, true);
  assert.equal(j.verdict, 'host-critical');
  assert.deepEqual(j.reasons, [
    '0000:01:00.0 dev 0000:01:00.0 holds the root file system (/ on nvme0n1p2)',
    'so 0000:02:00.0 dev 0000:02:00.0 cannot be given to a guest either (same group)',
  ]);
  const acs = judgeGroup([dev('0000:03:00.0', 0x020000)], none, true);
  assert.ok(acs.reasons.includes('warning: ACS override is active: this isolation is pretended, not real'));
});

test('host-critical reasons: storage, display, boot VGA and the only NIC (virtual functions do not count)', () => {
  const nic = dev('0000:05:00.0', 0x020000);
  const vf = dev('0000:05:00.2', 0x020000, { physfn: '0000:05:00.0' });
  const reasons = hostCriticalReasons(
    [nic, vf],
    [
      {
        address: '0000:02:00.0',
        name: 'g',
        vendorId: '1002',
        driver: 'amdgpu',
        bootVga: true,
        renderNode: null,
        card: 'card0',
        connectors: [],
        drivesDisplay: false,
        mdevTypes: [],
        sriovTotalVfs: 0,
      },
    ],
    [{ role: 'swap', what: '/dev/sda3', blockDevices: ['sda3'], pciDevices: ['0000:00:17.0'] }],
  );
  assert.deepEqual(Object.fromEntries(reasons), {
    '0000:00:17.0': ['holds swap (/dev/sda3 on sda3)'],
    '0000:02:00.0': ["is the boot VGA device: the host's console is on it"],
    '0000:05:00.0': ['is the only network controller'],
  });
});
