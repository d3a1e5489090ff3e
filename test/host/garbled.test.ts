import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostCheck } from '../../src/host/host-check.js';
import { hostDevices } from '../../src/host/devices.js';
import { probeHost } from '../../src/host/probe.js';
import { FixtureSystem } from '../../src/host/fixture-system.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

const GARBAGE = Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x0a, 0x3a, 0x3a, 0x20, 0x09]);
let fx: ReturnType<typeof makeFixtures>;

before(() => {
  fx = makeFixtures(['amd-desktop', 'intel-laptop']);
  const r = fx.roots['amd-desktop']!;
  const put = (rel: string, content: string | Buffer) => {
    rmSync(join(r, rel), { recursive: true, force: true });
    mkdirSync(join(r, rel, '..'), { recursive: true });
    writeFileSync(join(r, rel), content);
  };
  put('proc/cpuinfo', GARBAGE);
  put('proc/meminfo', 'MemTotal: lots\n');
  put('proc/cmdline', GARBAGE);
  put('proc/self/mountinfo', GARBAGE);
  put('proc/swaps', '');
  put('usr/share/misc/pci.ids', GARBAGE);
  put('usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json', '{"interface-types": ["uefi"], ');
  put('sys/kernel/mm/transparent_hugepage/enabled', GARBAGE);
  put('sys/module/kvm_amd/parameters/nested', 'perhaps\n');
  put('sys/class/dmi/id/chassis_type', 'desk\n');
  // A device whose class is garbage, one whose vendor file is a directory, a dangling driver link.
  const gpu = 'sys/devices/pci0000:00/0000:00:03.1/0000:0b:00.0';
  put(`${gpu}/class`, 'zzz\n');
  const nvme = 'sys/devices/pci0000:00/0000:00:01.1/0000:01:00.0';
  rmSync(join(r, nvme, 'vendor'));
  mkdirSync(join(r, nvme, 'vendor'));
  const nic = 'sys/devices/pci0000:00/0000:00:02.2/0000:05:00.0';
  unlinkSync(join(r, nic, 'driver'));
  symlinkSync('../../../../bus/pci/drivers/nowhere', join(r, nic, 'driver'));
  put('sys/kernel/iommu_groups/3/type', GARBAGE);
  put('sys/bus/usb/devices/1-3/idVendor', 'xyz\n');
  put('sys/class/drm/card0-DP-1/status', GARBAGE);
});
after(() => fx.cleanup());

test('garbled files make facts unknown with a reason, never an exception', async () => {
  const root = fx.roots['amd-desktop']!;
  const facts = await probeHost({ root });
  assert.equal(facts.cpu.known, false);
  assert.match(facts.cpu.known ? '' : facts.cpu.reason, /no processor entries/);
  assert.equal(facts.memory.known, false);
  assert.equal(facts.kvm.nested, null);
  assert.equal(facts.dmi.chassis, null);
  assert.deepEqual(facts.storage.uses, [], 'no mounts could be read');
  assert.ok(facts.pci.known);
  assert.deepEqual(facts.pci.value.unreadable.sort(), [
    'sys/bus/pci/devices/0000:01:00.0: unreadable vendor, device or class',
    'sys/bus/pci/devices/0000:0b:00.0: unreadable vendor, device or class',
  ]);
  const nic = facts.pci.value.devices.find((d) => d.address === '0000:05:00.0');
  assert.equal(nic?.driver, 'nowhere', 'a dangling driver link still names the driver');
  assert.equal(nic?.name.includes('Vendor 10ec') || nic?.name.includes('Realtek'), true);
  assert.equal(facts.firmware.unreadable.length, 1);
  assert.equal(facts.firmware.uefi?.file, '50-edk2-x86_64-secure.json');
  assert.equal(
    facts.usb.some((u) => u.port === '1-3'),
    false,
  );
});

test('host check still reports every check on a garbled tree', async () => {
  const r = await hostCheck({ root: fx.roots['amd-desktop']! });
  assert.equal(r.checks.length, 22);
  const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(byId['cpu.virtualization']?.status, 'warn');
  assert.equal(byId['host.cores']?.status, 'warn');
  assert.match(byId['host.memory']?.detail ?? '', /no MemTotal line/);
  assert.equal(byId['firmware.secure-boot']?.status, 'warn', 'the enrolled-keys descriptor is unreadable');
  assert.equal(r.verdict, 'ready');
  const m = await hostDevices({ root: fx.roots['amd-desktop']! });
  assert.equal(m.groups.length, 6);
});

test('an empty host tree (empty proc/ and sys/) never crashes; a missing or empty root is refused', async () => {
  const empty = join(fx.dir, 'empty');
  mkdirSync(join(empty, 'proc'), { recursive: true });
  mkdirSync(join(empty, 'sys'), { recursive: true });
  const system = new FixtureSystem({});
  const r = await hostCheck({ root: empty, system });
  assert.equal(r.checks.length, 22);
  assert.equal(r.verdict, 'unusable', 'no QEMU and no libvirt daemon');
  const failing = r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  assert.deepEqual(failing, ['kvm.device', 'kvm.works', 'libvirt.daemon', 'qemu.version', 'net.tun']);
  const m = await hostDevices({ root: empty, system });
  assert.deepEqual(m, { iommu: { enabled: false, acsOverride: false }, groups: [], usb: [], gpus: [] });
  const bare = join(fx.dir, 'bare');
  mkdirSync(bare);
  for (const root of [bare, join(fx.dir, 'does-not-exist')]) {
    await assert.rejects(hostCheck({ root, system }), { code: 'host-root-invalid' });
    await assert.rejects(hostDevices({ root, system }), { code: 'host-root-invalid' });
  }
});
