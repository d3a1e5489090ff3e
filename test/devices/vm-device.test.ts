/**
 * `vm device` against the real system daemon. This machine has no IOMMU groups, so the decisions are
 * made on the AMD desktop fixture (`--root`): the GeForce and its audio function (`--with-group`) are
 * defined into a real VM, the domain XML passes `virt-xml-validate`, round-trips through `vm info`
 * and `vm device list`, and libvirt refuses to start it here (it checks the devices only at start).
 * Then `bin/phyllo` on this real host (no `--root`): refused, IOMMU off, nothing changed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as device } from '../../src/cli/commands/vm-device.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { DeviceListOutcome, DeviceRemoveOutcome, PciAddOutcome } from '../../src/devices/pci-device.js';
import { vmInfo } from '../../src/machines/vm-info.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';

const exec = promisify(execFile);
const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let fx: ReturnType<typeof makeFixtures>;
let amd: string;
const vm = uniqueName('pci');
const other = uniqueName('pci-other');

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });
const run = async <T>(positionals: string[], values: CommandContext['values'] = {}): Promise<T> =>
  (await device(ctx(positionals, values))).data as T;
const xml = async (name = vm) => (await lv.domains.lookup(name)).xml(DomainXmlFlags.INACTIVE);
const hostdevSources = (text: string) =>
  [
    ...text.matchAll(/<hostdev mode='subsystem' type='pci' managed='yes'>\s*<source>\s*<address ([^/]*)\/>/g),
  ].map((m) => m[1]);

before(async () => {
  if (!isRoot) return;
  fx = makeFixtures(['amd-desktop']);
  amd = fx.roots['amd-desktop'] as string;
  lv = await connect('qemu:///system');
  for (const n of [vm, other])
    await create(ctx([n], { os: 'linux', memory: '1G', 'disk-size': 'none', display: 'none' }));
});
after(async () => {
  if (!isRoot) return;
  for (const n of [vm, other]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  fx.cleanup();
});

test(
  'the fixture GeForce with its group is defined, validates and round-trips through vm info',
  { skip },
  async () => {
    await rejectsWith(
      run(['add', vm], { pci: '0b:00.0', root: amd }),
      'pci-needs-with-group',
      /shares IOMMU group 2 with 0000:0b:00\.1 \(NVIDIA Corporation GA104 High Definition Audio Controller\)/,
      /--with-group/,
    );
    const out = await run<PciAddOutcome>(['add', vm], { pci: '0b:00.0', 'with-group': true, root: amd });
    assert.equal(out.applies, 'next-start');
    assert.deepEqual(
      out.added.map((a) => a.address),
      ['0000:0b:00.0', '0000:0b:00.1'],
    );
    assert.deepEqual(out.bridgesKept, ['0000:00:03.1']);
    assert.equal(out.warnings.length, 2);
    const text = await xml();
    assert.deepEqual(hostdevSources(text), [
      "domain='0x0000' bus='0x0b' slot='0x00' function='0x0'",
      "domain='0x0000' bus='0x0b' slot='0x00' function='0x1'",
    ]);
    const file = join(fx.dir, 'domain.xml');
    writeFileSync(file, text);
    const v = await exec('virt-xml-validate', [file, 'domain']);
    assert.match(v.stdout + v.stderr, /validates/);
    assert.deepEqual((await vmInfo(lv, vm)).hostdevs, [
      { address: '0000:0b:00.0', managed: true },
      { address: '0000:0b:00.1', managed: true },
    ]);
    const list = await run<DeviceListOutcome>(['list', vm], { root: amd });
    assert.deepEqual(
      list.devices.map((d) => [d.address, d.hostName, d.hostDriver]),
      [
        ['0000:0b:00.0', 'NVIDIA Corporation GA104 [GeForce RTX 3070]', 'vfio-pci'],
        ['0000:0b:00.1', 'NVIDIA Corporation GA104 High Definition Audio Controller', 'vfio-pci'],
      ],
    );
    // libvirt checks the devices only when the VM starts: here there is no IOMMU to give them.
    await assert.rejects((await lv.domains.lookup(vm)).start(), /passthrough of host PCI devices|0000:0b:00/);
  },
);

test(
  'a device already given, a critical group, an unknown one: typed errors, nothing changed',
  { skip },
  async () => {
    const before = await xml();
    const beforeOther = await xml(other);
    await rejectsWith(
      run(['add', vm], { pci: '0b:00.1', 'with-group': true, root: amd }),
      'pci-in-use',
      new RegExp(`given to VM "${vm}"`),
    );
    await rejectsWith(
      run(['add', other], { pci: '0b:00.0', 'with-group': true, root: amd }),
      'pci-in-use',
      new RegExp(`given to VM "${vm}"`),
      /vm device remove/,
    );
    await rejectsWith(
      run(['add', other], { pci: '02:00.0', 'with-group': true, root: amd }),
      'pci-refused',
      /cannot be given to a guest: its IOMMU group 1 must stay with the host; .*holds the root file system/,
    );
    await rejectsWith(
      run(['add', other], { pci: '0000:42:00.0', root: amd }),
      'pci-refused',
      /no PCI device at this address/,
    );
    await rejectsWith(
      run(['add', 'phyllo-no-such-vm'], { pci: '0b:00.0', root: amd }),
      'vm-not-found',
      /no VM/,
    );
    await rejectsWith(
      run(['remove', vm, '0000:42:00.0']),
      'device-not-found',
      /no host device 0000:42:00\.0/,
      /0000:0b:00\.0, 0000:0b:00\.1/,
    );
    await rejectsWith(run(['add', vm]), 'invalid-input', /needs the device: --pci ADDR/);
    assert.equal(await xml(), before);
    assert.equal(await xml(other), beforeOther);
  },
);

test('remove takes one function out of the definition', { skip }, async () => {
  const r = await run<DeviceRemoveOutcome>(['remove', vm, '0b:00.1']);
  assert.equal(r.removed, '0000:0b:00.1');
  assert.equal(r.applies, 'next-start');
  assert.deepEqual(hostdevSources(await xml()), ["domain='0x0000' bus='0x0b' slot='0x00' function='0x0'"]);
});

test(
  'bin/phyllo on this real host: refused, the IOMMU is off, with how to turn it on',
  { skip },
  async () => {
    const before = await xml(other);
    const r = await phyllo(
      'vm',
      'device',
      'add',
      other,
      '--pci',
      '00:00.0',
      '--connect',
      'qemu:///system',
      '--json',
    );
    assert.notEqual(r.code, 0);
    const err = (
      JSON.parse(r.stdout) as { error: { code: string; refusal: string; message: string; hint: string } }
    ).error;
    assert.equal(err.code, 'pci-refused');
    assert.equal(err.refusal, 'iommu-off');
    assert.match(err.message, /the IOMMU is off/);
    assert.match(err.hint, /intel_iommu=on|iommu=pt/);
    const human = await phyllo(
      'vm',
      'device',
      'add',
      other,
      '--pci',
      '00:00.0',
      '--connect',
      'qemu:///system',
    );
    assert.notEqual(human.code, 0);
    assert.match(human.stderr, /IOMMU is off/);
    assert.equal(await xml(other), before);
  },
);
