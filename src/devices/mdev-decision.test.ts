/**
 * `decideMdevAdd` on host fixture trees: the Intel laptop's UHD 620 with GVT-g types (its
 * mdev_supported_types directory and /sys/class/mdev_bus entry), and this build machine, which has
 * no mediated devices at all.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeFixtures } from '../../test/fixtures/hosts/make-fixtures.js';
import { decideMdevAdd, probeMdevHost, type MdevDecision, type MdevHost } from './mdev-decision.js';
import { mdevNodeXml, pciNodeName } from './mdev-device.js';

let fx: ReturnType<typeof makeFixtures>;
const hosts: Record<string, MdevHost> = {};

before(() => {
  fx = makeFixtures(['intel-laptop', 'this-machine', 'amd-desktop']);
  for (const [n, root] of Object.entries(fx.roots)) hosts[n] = probeMdevHost(root);
});
after(() => fx.cleanup());

const refused = (d: MdevDecision) => {
  assert.equal(d.verdict, 'refused', JSON.stringify(d));
  return d.verdict === 'refused' ? { refusal: d.refusal, reason: d.reason, hint: d.hint } : undefined;
};

test('intel laptop: a GVT-g type of the iGPU is accepted, by id or by its name', () => {
  const d = decideMdevAdd(hosts['intel-laptop']!, '00:02.0', 'i915-GVTg_V5_4');
  assert.deepEqual(d, {
    verdict: 'accepted',
    parent: '0000:00:02.0',
    parentName: (d.verdict === 'accepted' && d.parentName) || 'missing',
    type: {
      id: 'i915-GVTg_V5_4',
      name: 'GVTg_V5_4',
      description: 'low_gm_size: 128MB, high_gm_size: 512MB, fence: 4',
      availableInstances: 1,
      deviceApi: 'vfio-pci',
    },
  });
  assert.match(d.verdict === 'accepted' ? d.parentName : '', /Intel/);
  const byName = decideMdevAdd(hosts['intel-laptop']!, '0000:00:02.0', 'GVTg_V5_8');
  assert.equal(byName.verdict === 'accepted' && byName.type.id, 'i915-GVTg_V5_8');
  assert.equal(
    mdevNodeXml('0000:00:02.0', 'i915-GVTg_V5_4', '4b20d080-1b54-4048-85b3-a6a62d165c01'),
    `<device>\n  <parent>pci_0000_00_02_0</parent>\n  <capability type='mdev'>\n    <type id='i915-GVTg_V5_4'/>\n    <uuid>4b20d080-1b54-4048-85b3-a6a62d165c01</uuid>\n  </capability>\n</device>\n`,
  );
  assert.equal(pciNodeName('0000:3d:00.1'), 'pci_0000_3d_00_1');
});

test('intel laptop: an unknown type lists the types; another device offers none; a used-up type says so', () => {
  assert.deepEqual(refused(decideMdevAdd(hosts['intel-laptop']!, '00:02.0', 'i915-GVTg_V5_1')), {
    refusal: 'unknown-type',
    reason: `0000:00:02.0 (${hosts['intel-laptop']!.pci.find((p) => p.address === '0000:00:02.0')!.name}) has no mediated device type "i915-GVTg_V5_1"`,
    hint: 'Its types: i915-GVTg_V5_4 (GVTg_V5_4, 1 free), i915-GVTg_V5_8 (GVTg_V5_8, 2 free).',
  });
  const wifi = refused(decideMdevAdd(hosts['intel-laptop']!, '02:00.0', 'i915-GVTg_V5_4'));
  assert.equal(wifi?.refusal, 'unknown-parent');
  assert.match(wifi?.reason ?? '', /^0000:02:00\.0 \(.*\) offers no mediated devices$/);
  assert.match(
    wifi?.hint ?? '',
    /^Devices offering them: 0000:00:02\.0 \(.*\); or give the guest the whole device with --pci 0000:02:00\.0\.$/,
  );
  assert.equal(refused(decideMdevAdd(hosts['intel-laptop']!, '09:00.0', 'x'))?.refusal, 'unknown-parent');
  const root = fx.roots['intel-laptop']!;
  const typeDir = join(root, 'sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4');
  writeFileSync(join(typeDir, 'available_instances'), '0\n');
  const used = refused(decideMdevAdd(probeMdevHost(root), '00:02.0', 'i915-GVTg_V5_4'));
  assert.equal(used?.refusal, 'no-instances');
  assert.match(used?.reason ?? '', /has no i915-GVTg_V5_4 left to give \(available_instances is 0\)$/);
  writeFileSync(join(typeDir, 'available_instances'), '1\n');
});

test('this machine and the AMD desktop: no mediated devices at all, refused naming what the host lacks', () => {
  for (const [host, vendorFirst] of [
    ['this-machine', /^Nothing was changed\. To get mediated devices: Intel GVT-g/],
    ['amd-desktop', /^Nothing was changed\. To get mediated devices: NVIDIA vGPU/],
  ] as const) {
    const r = refused(decideMdevAdd(hosts[host]!, '00:02.0', 'i915-GVTg_V5_4'));
    assert.equal(r?.refusal, 'no-mdev-support', host);
    assert.equal(
      r?.reason,
      'this host offers no mediated devices: no device has mdev_supported_types (nothing in /sys/class/mdev_bus), so its GPU driver does not slice any GPU',
    );
    assert.match(r?.hint ?? '', vendorFirst);
    assert.match(r?.hint ?? '', /i915\.enable_gvt=1/);
  }
  assert.throws(() => decideMdevAdd(hosts['this-machine']!, 'gpu0', 'x'), /not a PCI address/);
});
