/**
 * `decidePciAdd` on every host fixture, from the facts `phyllo host devices` probes in each tree:
 * which `vm device add --pci` calls are accepted (with the exact `<hostdev>` XML), refused (with the
 * exact reasons and how-to) or need `--with-group` (naming the other endpoints), and the warnings
 * that go with ACS override, bus-only resets and an unseen vfio-pci.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { probePassthroughHost } from '../../src/devices/passthrough-host.js';
import { decidePciAdd, type PassthroughHost, type PciDecision } from '../../src/devices/pci-decision.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

let fx: ReturnType<typeof makeFixtures>;
const hosts: Record<string, PassthroughHost> = {};
const NAMES = [
  'intel-laptop',
  'amd-desktop',
  'acs-override',
  'iommu-off',
  'vtx-disabled',
  'this-machine',
] as const;

before(async () => {
  fx = makeFixtures([...NAMES]);
  for (const n of NAMES) hosts[n] = await probePassthroughHost({ root: fx.roots[n] as string });
});
after(() => fx.cleanup());

const hostdev = (bus: string, slot: string, fn: string) =>
  `<hostdev mode='subsystem' type='pci' managed='yes'>
  <source>
    <address domain='0x0000' bus='0x${bus}' slot='0x${slot}' function='0x${fn}'/>
  </source>
</hostdev>
`;

const decide = (host: string, addr: string, withGroup = false): PciDecision =>
  decidePciAdd(hosts[host] as PassthroughHost, addr, { withGroup });

function refusal(d: PciDecision): { refusal: string; reasons: string[]; hint: string } {
  assert.equal(d.verdict, 'refused', JSON.stringify(d));
  if (d.verdict !== 'refused') throw new Error('unreachable');
  return { refusal: d.refusal, reasons: d.reasons, hint: d.hint };
}

const VFIO_UNSEEN =
  'Whether vfio-pci is installed could not be seen (no kernel module tree): the VM will not start without it.';
const ACS =
  'ACS OVERRIDE IS ACTIVE (pcie_acs_override): this IOMMU group is split by the kernel, not isolated by the hardware; the guest may reach other host devices by DMA. Pass through whole real groups instead, or remove pcie_acs_override.';

test('intel laptop: the Wi-Fi card behind its root port is accepted alone; the bridge stays', () => {
  const d = decide('intel-laptop', '02:00.0');
  assert.deepEqual(d, {
    verdict: 'accepted',
    address: '0000:02:00.0',
    group: '3',
    hostdevs: [
      {
        address: '0000:02:00.0',
        name: 'Intel Corporation Wireless 8265 / 8275',
        xml: hostdev('02', '00', '0'),
      },
    ],
    bridgesKept: ['0000:00:1c.0'],
    warnings: [VFIO_UNSEEN],
  });
});

test('intel laptop: the panel GPU and the NVMe holding / are refused with what makes them critical', () => {
  assert.deepEqual(refusal(decide('intel-laptop', '0000:00:02.0')), {
    refusal: 'host-critical',
    reasons: [
      'its IOMMU group 1 must stay with the host',
      "0000:00:02.0 UHD Graphics 620 drives the host's display (eDP-1)",
    ],
    hint: 'Nothing in IOMMU group 1 can be given to a guest. `phyllo host devices` shows which groups can.',
  });
  assert.deepEqual(refusal(decide('intel-laptop', '0000:3d:00.0')).reasons, [
    'its IOMMU group 4 must stay with the host',
    '0000:3d:00.0 NVMe SSD Controller SM981/PM981/PM983 holds the root file system (/ on dm-0 → nvme0n1p3)',
    '0000:3d:00.0 NVMe SSD Controller SM981/PM981/PM983 holds the EFI system partition (/boot/efi on nvme0n1p1)',
    '0000:3d:00.0 NVMe SSD Controller SM981/PM981/PM983 holds swap (/dev/dm-0 on dm-0 → nvme0n1p3)',
  ]);
  assert.deepEqual(refusal(decide('intel-laptop', '00:1c.0')).refusal, 'bridge');
});

test('intel laptop: the PCH audio shares its group: needs --with-group, then all three functions go', () => {
  assert.deepEqual(decide('intel-laptop', '00:1f.3'), {
    verdict: 'needs-with-group',
    address: '0000:00:1f.3',
    group: '5',
    others: [
      '0000:00:1f.0 (Intel Corporation Sunrise Point LPC Controller/eSPI Controller)',
      '0000:00:1f.4 (Intel Corporation Sunrise Point-LP SMBus)',
    ],
    warnings: [
      '0000:00:1f.0 (Intel Corporation Sunrise Point LPC Controller/eSPI Controller) has no reset method: the VM may hang at shutdown, or fail to start again until the host reboots.',
      '0000:00:1f.3 (Intel Corporation Sunrise Point-LP HD Audio) has no reset method: the VM may hang at shutdown, or fail to start again until the host reboots.',
      '0000:00:1f.4 (Intel Corporation Sunrise Point-LP SMBus) has no reset method: the VM may hang at shutdown, or fail to start again until the host reboots.',
      VFIO_UNSEEN,
    ],
  });
  const all = decide('intel-laptop', '00:1f.3', true);
  assert.equal(all.verdict, 'accepted');
  if (all.verdict !== 'accepted') return;
  assert.deepEqual(
    all.hostdevs.map((h) => h.xml),
    [hostdev('00', '1f', '0'), hostdev('00', '1f', '3'), hostdev('00', '1f', '4')],
  );
  assert.deepEqual(all.bridgesKept, []);
});

test('amd desktop: the GeForce needs its audio function; with the group both go, with bus-reset warnings', () => {
  assert.deepEqual(decide('amd-desktop', '0b:00.0'), {
    verdict: 'needs-with-group',
    address: '0000:0b:00.0',
    group: '2',
    others: ['0000:0b:00.1 (NVIDIA Corporation GA104 High Definition Audio Controller)'],
    warnings: [
      '0000:0b:00.0 (NVIDIA Corporation GA104 [GeForce RTX 3070]) has only a bus reset: every device on its bus is reset with it when the VM starts and stops.',
      '0000:0b:00.1 (NVIDIA Corporation GA104 High Definition Audio Controller) has only a bus reset: every device on its bus is reset with it when the VM starts and stops.',
    ],
  });
  const d = decide('amd-desktop', '0000:0B:00.0', true);
  assert.equal(d.verdict, 'accepted');
  if (d.verdict !== 'accepted') return;
  assert.deepEqual(
    d.hostdevs.map((h) => [h.address, h.xml]),
    [
      ['0000:0b:00.0', hostdev('0b', '00', '0')],
      ['0000:0b:00.1', hostdev('0b', '00', '1')],
    ],
  );
  assert.deepEqual(d.bridgesKept, ['0000:00:03.1']);
  assert.equal(d.warnings.length, 2, 'vfio-pci is bound here: no vfio warning');
});

test('amd desktop: the Radeon shares group 1 with the NVMe holding /; the only NIC stays', () => {
  const r = refusal(decide('amd-desktop', '02:00.0', true));
  assert.equal(r.refusal, 'host-critical');
  assert.deepEqual(r.reasons, [
    'its IOMMU group 1 must stay with the host',
    '0000:01:00.0 NVMe SSD Controller PM9A1/PM9A3/980PRO holds the root file system (/ on nvme0n1p2)',
    '0000:01:00.0 NVMe SSD Controller PM9A1/PM9A3/980PRO holds the EFI system partition (/boot/efi on nvme0n1p1)',
    '0000:01:00.0 NVMe SSD Controller PM9A1/PM9A3/980PRO holds swap (/swapfile on nvme0n1p2)',
    "0000:02:00.0 Navi 23 [Radeon RX 6600/6600 XT/6600M] drives the host's display (DP-1)",
    'so 0000:02:00.1 Navi 21/23 HDMI/DP Audio Controller cannot be given to a guest either (same group)',
  ]);
  assert.deepEqual(refusal(decide('amd-desktop', '05:00.0', true)).reasons, [
    'its IOMMU group 5 must stay with the host',
    '0000:05:00.0 RTL8125 2.5GbE Controller is the only network controller',
  ]);
});

test('ACS override: the split-off GPU is accepted alone, with the warning first', () => {
  const d = decide('acs-override', '01:00.0');
  assert.equal(d.verdict, 'accepted');
  if (d.verdict !== 'accepted') return;
  assert.deepEqual(
    d.hostdevs.map((h) => h.xml),
    [hostdev('01', '00', '0')],
  );
  assert.deepEqual(d.warnings, [ACS]);
  assert.deepEqual(refusal(decide('acs-override', '00:1f.6')).reasons, [
    'its IOMMU group 8 must stay with the host',
    '0000:00:1f.6 Ethernet Connection (2) I219-V is the only network controller',
  ]);
});

test('IOMMU off: refused, with how to turn it on for that CPU and command line', () => {
  assert.deepEqual(refusal(decide('iommu-off', '05:00.0')), {
    refusal: 'iommu-off',
    reasons: [
      'the IOMMU is off (there are no IOMMU groups), and without it no device can be given to a guest safely',
    ],
    hint: 'Remove amd_iommu=off from the kernel command line (GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub), run `sudo update-grub` and reboot.',
  });
  // No DMAR table and no intel_iommu: the firmware's switch first, then the kernel parameter.
  assert.equal(
    refusal(decide('vtx-disabled', '00:1f.6')).hint,
    'Enable VT-d (firmware setup: Advanced → System Agent (SA) Configuration → VT-d → Enabled), then add `intel_iommu=on iommu=pt` to the kernel command line (add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run `sudo update-grub` and reboot).',
  );
});

test('an address that is not on the host, or not an address, is refused before anything else', () => {
  assert.deepEqual(refusal(decide('amd-desktop', '0000:42:00.0')).refusal, 'unknown-address');
  assert.deepEqual(refusal(decide('iommu-off', '42:00.0')).reasons, [
    'there is no PCI device at this address on the host',
  ]);
  assert.throws(() => decide('amd-desktop', 'gpu0'), { code: 'invalid-input' });
});

test('vfio-pci: a kernel module tree without it refuses; one with it accepts without the warning', () => {
  const root = fx.roots['intel-laptop'] as string;
  const tree = join(root, 'lib/modules/6.1.0-18-amd64');
  mkdirSync(join(tree, 'kernel/drivers/vfio'), { recursive: true });
  return probePassthroughHost({ root }).then(async (missing) => {
    assert.equal(missing.vfio, 'missing');
    assert.equal(refusal(decidePciAdd(missing, '02:00.0', { withGroup: false })).refusal, 'vfio-missing');
    mkdirSync(join(tree, 'kernel/drivers/vfio/pci'), { recursive: true });
    writeFileSync(join(tree, 'kernel/drivers/vfio/pci/vfio-pci.ko.xz'), '');
    const there = await probePassthroughHost({ root });
    assert.equal(there.vfio, 'loadable');
    const d = decidePciAdd(there, '02:00.0', { withGroup: false });
    assert.equal(d.verdict, 'accepted');
    assert.deepEqual(d.verdict === 'accepted' && d.warnings, []);
  });
});
