import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CuratedEntry } from '../../src/host/curated.js';
import { hostCheck, type HostReport } from '../../src/host/host-check.js';
import { renderReport } from '../../src/host/render.js';
import { hostDevices, type DeviceMap } from '../../src/host/devices.js';
import { FixtureSystem } from '../../src/host/fixture-system.js';
import { makeFixtures, type FixtureName } from '../fixtures/hosts/make-fixtures.js';

type Statuses = Record<string, string>;

/** The statuses every fixture shares unless it says otherwise. */
const TYPICAL: Statuses = {
  'cpu.virtualization': 'pass',
  'kvm.device': 'pass',
  'kvm.works': 'pass',
  'kvm.nested': 'pass',
  'iommu.firmware': 'pass',
  'iommu.kernel': 'pass',
  'iommu.acs-override': 'info',
  'host.cores': 'pass',
  'host.memory': 'pass',
  'host.disk': 'pass',
  'host.known-hardware': 'info',
  'firmware.uefi': 'pass',
  'firmware.secure-boot': 'pass',
  'tpm.emulator': 'pass',
  'libvirt.daemon': 'pass',
  'qemu.version': 'pass',
  'net.vhost': 'pass',
  'net.tun': 'pass',
  'gpu.3d': 'pass',
  'gpu.sharing': 'info',
  'memory.hugepages': 'info',
  'power.battery': 'info',
};

interface Expected {
  verdict: HostReport['verdict'];
  statuses: Statuses;
  groups: Record<string, DeviceMap['groups'][number]['verdict']>;
  iommu: DeviceMap['iommu'];
}

const EXPECTED: Record<Exclude<FixtureName, 'big-host'>, Expected> = {
  'intel-laptop': {
    verdict: 'ready',
    statuses: { ...TYPICAL, 'gpu.sharing': 'pass', 'power.battery': 'warn' },
    groups: {
      0: 'host-critical',
      1: 'host-critical',
      2: 'isolated',
      3: 'isolated',
      4: 'host-critical',
      5: 'shared',
      6: 'isolated',
    },
    iommu: { enabled: true, acsOverride: false },
  },
  'amd-desktop': {
    verdict: 'ready',
    statuses: { ...TYPICAL, 'host.disk': 'warn', 'tpm.emulator': 'warn', 'memory.hugepages': 'pass' },
    groups: {
      0: 'host-critical',
      1: 'host-critical',
      2: 'shared',
      3: 'shared',
      4: 'shared',
      5: 'host-critical',
    },
    iommu: { enabled: true, acsOverride: false },
  },
  'vtx-disabled': {
    verdict: 'degraded',
    statuses: {
      ...TYPICAL,
      'cpu.virtualization': 'fail',
      'kvm.device': 'fail',
      'kvm.works': 'fail',
      'kvm.nested': 'info',
      'iommu.firmware': 'warn',
      'iommu.kernel': 'warn',
      'host.memory': 'warn',
    },
    groups: {},
    iommu: { enabled: false, acsOverride: false },
  },
  'iommu-off': {
    verdict: 'ready',
    statuses: { ...TYPICAL, 'kvm.nested': 'info', 'iommu.kernel': 'warn', 'gpu.3d': 'info' },
    groups: {},
    iommu: { enabled: false, acsOverride: false },
  },
  'acs-override': {
    verdict: 'ready',
    statuses: { ...TYPICAL, 'kvm.nested': 'info', 'iommu.acs-override': 'warn' },
    groups: {
      0: 'host-critical',
      1: 'host-critical',
      2: 'isolated',
      3: 'isolated',
      4: 'host-critical',
      5: 'isolated',
      6: 'host-critical',
      7: 'isolated',
      8: 'host-critical',
    },
    iommu: { enabled: true, acsOverride: true },
  },
  'unknown-vendor': {
    verdict: 'degraded',
    statuses: {
      ...TYPICAL,
      'cpu.virtualization': 'fail',
      'kvm.device': 'fail',
      'kvm.works': 'fail',
      'kvm.nested': 'info',
      'iommu.firmware': 'warn',
      'iommu.kernel': 'warn',
      'host.memory': 'warn',
      'gpu.3d': 'info',
    },
    groups: {},
    iommu: { enabled: false, acsOverride: false },
  },
  'this-machine': {
    verdict: 'degraded',
    statuses: {
      ...TYPICAL,
      'cpu.virtualization': 'fail',
      'kvm.works': 'fail',
      'kvm.nested': 'info',
      'iommu.firmware': 'warn',
      'iommu.kernel': 'warn',
      'host.cores': 'warn',
      'host.disk': 'warn',
      'net.vhost': 'warn',
      'gpu.3d': 'info',
    },
    groups: {},
    iommu: { enabled: false, acsOverride: false },
  },
};

const names = Object.keys(EXPECTED) as (keyof typeof EXPECTED)[];
let fx: ReturnType<typeof makeFixtures>;
before(() => {
  fx = makeFixtures(names);
});
after(() => fx.cleanup());

function statusMap(r: HostReport): Statuses {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
}

for (const name of names) {
  describe(`fixture ${name}`, () => {
    const want = EXPECTED[name];
    test('verdict and every check status', async () => {
      const r = await hostCheck({ root: fx.roots[name]! });
      assert.deepEqual(statusMap(r), want.statuses);
      assert.equal(r.verdict, want.verdict);
      for (const c of r.checks) {
        assert.ok(c.summary.length > 0, `${c.id} has a summary`);
        if (c.status === 'fail' || c.status === 'warn')
          assert.ok(c.fix.length > 0, `${c.id} (${c.status}) has a fix`);
      }
    });
    test('IOMMU group verdicts', async () => {
      const m = await hostDevices({ root: fx.roots[name]! });
      assert.deepEqual(m.iommu, want.iommu);
      assert.deepEqual(Object.fromEntries(m.groups.map((g) => [g.id, g.verdict])), want.groups);
    });
  });
}

test('nested virtualization: off by the kernel command line means changing the boot entry, not modprobe.d', async () => {
  const byCmdline = (await hostCheck({ root: fx.roots['iommu-off']! })).checks.find(
    (c) => c.id === 'kvm.nested',
  )!;
  assert.equal(byCmdline.status, 'info');
  assert.match(byCmdline.detail, /kernel command line sets kvm-amd\.nested=0$/);
  assert.match(byCmdline.fix, /remove `kvm-amd\.nested=0` from the kernel command line .*update-grub/);
  const byModule = (await hostCheck({ root: fx.roots['acs-override']! })).checks.find(
    (c) => c.id === 'kvm.nested',
  )!;
  assert.equal(byModule.detail, 'kvm_intel.nested = off');
  assert.match(byModule.fix, /options kvm_intel nested=1.*modprobe\.d/);
});

test('intel laptop: facts, GVT-g types, host-critical reasons through LUKS', async () => {
  const r = await hostCheck({ root: fx.roots['intel-laptop']! });
  assert.ok(
    r.host.cpu.known &&
      r.host.cpu.value.vmx &&
      r.host.cpu.value.cores === 4 &&
      r.host.cpu.value.threads === 8,
  );
  assert.equal(r.host.kvm.nested, true);
  assert.equal(r.host.power.onBattery, true);
  assert.equal(r.host.power.capacity, 87);
  assert.deepEqual(
    r.host.power.supplies.map((s) => s.name),
    ['AC', 'BAT0'],
    'the mouse battery (scope=Device) is ignored',
  );
  assert.ok(r.host.iommu.known && r.host.iommu.value.interruptRemapping === true);
  assert.match(
    r.checks.find((c) => c.id === 'host.known-hardware')?.summary ?? '',
    /not on Phyllome's list/,
    'the shipped list holds no entry for the fixture laptop',
  );
  const m = await hostDevices({ root: fx.roots['intel-laptop']! });
  assert.deepEqual(m.gpus[0]?.mdevTypes, ['i915-GVTg_V5_4 (GVTg_V5_4)', 'i915-GVTg_V5_8 (GVTg_V5_8)']);
  assert.equal(m.gpus[0]?.renderNode, '/dev/dri/renderD128');
  const nvme = m.groups.find((g) => g.id === '4')!;
  assert.ok(nvme.reasons.some((x) => x.includes('root file system') && x.includes('dm-0 → nvme0n1p3')));
  assert.ok(nvme.reasons.some((x) => x.includes('EFI system partition')));
  assert.ok(
    m.groups.find((g) => g.id === '1')!.reasons.some((x) => x.includes("drives the host's display (eDP-1)")),
  );
  assert.deepEqual(
    m.usb.map((u) => [u.port, u.kind]),
    [
      ['1-5', 'video'],
      ['1-7', 'bluetooth'],
    ],
  );
});

test('amd desktop: the NVMe with / makes the GPU in its group host-critical; only NIC; USB kinds', async () => {
  const m = await hostDevices({ root: fx.roots['amd-desktop']! });
  const g1 = m.groups.find((g) => g.id === '1')!;
  assert.deepEqual(
    g1.devices.map((d) => d.address),
    ['0000:00:01.1', '0000:01:00.0', '0000:02:00.0', '0000:02:00.1'],
  );
  assert.ok(g1.reasons.some((r) => r.includes('0000:01:00.0') && r.includes('root file system')));
  assert.ok(
    g1.reasons.some((r) => r.includes('0000:02:00.1') && r.includes('cannot be given to a guest either')),
  );
  const g2 = m.groups.find((g) => g.id === '2')!;
  assert.ok(g2.reasons.some((r) => r.includes('only a bus reset')));
  assert.ok(g2.reasons.some((r) => r.includes('bridges stay with the host: 0000:00:03.1')));
  const g3 = m.groups.find((g) => g.id === '3')!;
  assert.ok(g3.reasons[0]?.startsWith('can be given only together'));
  assert.ok(g3.reasons.some((r) => r.includes('0000:03:00.1 has no reset method')));
  assert.ok(m.groups.find((g) => g.id === '5')!.reasons.some((r) => r.includes('only network controller')));
  assert.deepEqual(
    m.usb.map((u) => [u.port, u.kind, u.controller]),
    [
      ['1-3', 'keyboard', '0000:03:00.0'],
      ['1-4', 'mouse', '0000:03:00.0'],
      ['2-1', 'storage', '0000:03:00.0'],
    ],
  );
  assert.equal(m.usb[0]?.name, 'Logitech, Inc. Keyboard K120');
  const dev = g1.devices[2]!;
  assert.deepEqual(Object.keys(dev), [
    'address',
    'vendorId',
    'deviceId',
    'class',
    'name',
    'driver',
    'resetMethods',
    'bridge',
  ]);
  assert.deepEqual(dev, {
    address: '0000:02:00.0',
    vendorId: '1002',
    deviceId: '73ff',
    class: '030000',
    name: 'Advanced Micro Devices, Inc. [AMD/ATI] Navi 23 [Radeon RX 6600/6600 XT/6600M]',
    driver: 'amdgpu',
    resetMethods: ['bus'],
    bridge: false,
  });
});

test('fixes name the vendor: AMD-V/SVM and amd_iommu, Intel VT-x and intel_iommu', async () => {
  const vtx = await hostCheck({ root: fx.roots['vtx-disabled']! });
  const cpu = vtx.checks.find((c) => c.id === 'cpu.virtualization')!;
  assert.match(cpu.fix, /Intel Virtualization Technology/);
  assert.match(vtx.checks.find((c) => c.id === 'iommu.firmware')!.fix, /VT-d/);
  const off = await hostCheck({ root: fx.roots['iommu-off']! });
  assert.match(off.checks.find((c) => c.id === 'iommu.kernel')!.fix, /Remove amd_iommu=off/);
  const acs = await hostCheck({ root: fx.roots['acs-override']! });
  const a = acs.checks.find((c) => c.id === 'iommu.acs-override')!;
  assert.match(a.summary, /pretended, not real/);
  assert.ok(acs.host.iommu.known && acs.host.iommu.value.cmdline.vfioPciIds.length === 2);
});

test('this machine: KVM present, boot test hung, so guests are emulated', async () => {
  const root = fx.roots['this-machine']!;
  const r = await hostCheck({ root });
  const k = r.checks.find((c) => c.id === 'kvm.works')!;
  assert.match(k.detail, /SeaBIOS\) printed under KVM, but the kernel never started within 8 s/);
  assert.match(k.detail, /control: .*TCG/);
  assert.equal(r.host.kvmVerdict.usable, false);
  assert.equal(r.host.kvmVerdict.state, 'broken');
  assert.equal(r.host.kvm.module, 'kvm_pvm');
  assert.ok(r.host.cpu.known && r.host.cpu.value.runningAsGuest && !r.host.cpu.value.vmx);
  assert.deepEqual(
    r.host.storage.uses.map((u) => [u.role, u.pciDevices]),
    [['root', ['0000:00:02.0']]],
  );
  assert.ok(FixtureSystem.fromRoot(root));
});

test('an injected curated entry matches the fixture laptop; its notes and source show in the report', async () => {
  const source = { title: 'Demo laptop IOMMU groups', url: 'https://example.org/demo-laptop-iommu' };
  const curated: CuratedEntry[] = [
    {
      id: 'demo-laptop',
      match: { sysVendor: 'Phyllome Test', productName: 'Demo Laptop' },
      rating: 'good',
      notes: ['Every endpoint in its own IOMMU group'],
      sources: [source],
    },
  ];
  const r = await hostCheck({ root: fx.roots['intel-laptop']!, curated });
  const c = r.checks.find((x) => x.id === 'host.known-hardware')!;
  assert.match(c.summary, /Phyllome Test Demo Laptop: known to work well \(demo-laptop\)/);
  assert.deepEqual(c.sources, [source]);
  assert.match(c.detail, /Every endpoint in its own IOMMU group/);
  assert.match(c.detail, /Source: Demo laptop IOMMU groups <https:\/\/example\.org\/demo-laptop-iommu>/);
  assert.deepEqual(JSON.parse(JSON.stringify(r)).checks.find((x: { id: string }) => x.id === c.id).sources, [
    source,
  ]);
  assert.match(
    renderReport(r),
    /host\.known-hardware.*demo-laptop[^]*Source: Demo laptop IOMMU groups <https:\/\/example\.org\/demo-laptop-iommu>/,
  );
});
