/**
 * `vm upgrade-devices` on the real system daemon: a Windows VM `vm create` made without the driver
 * ISO (SATA system disk, e1000e NIC) is switched to the model's virtio devices with its boot disk
 * first and its boot order kept, refuses while running, and `--undo` puts the old devices back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as upgrade } from '../../src/cli/commands/vm-upgrade-devices.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { UpgradeOutcome } from '../../src/machines/upgrade-devices.js';
import { isRoot, tcgDomainXml, uniqueName } from '../libvirt/helpers.js';
import { isoImage } from '../support/iso-image.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const win = uniqueName('upgrade');
const foreign = uniqueName('upgrade-foreign');

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });

const xml = async (name: string): Promise<string> =>
  (await lv.domains.lookup(name)).xml(DomainXmlFlags.INACTIVE);

/** Each disk and NIC as "device target bus" / "nic model", in order. */
function devices(domainXml: string): string[] {
  const disks = [
    ...domainXml.matchAll(/<disk type='file' device='(\w+)'>[\s\S]*?<target dev='(\w+)' bus='(\w+)'\/>/g),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  const nics = [...domainXml.matchAll(/<interface [\s\S]*?<model type='(\w+)'\/>/g)].map(
    (m) => `nic ${m[1]}`,
  );
  return [...disks, ...nics];
}

const rejects = rejectsWith;

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-upgrade-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'win.iso'), isoImage({ volumeId: 'CCCOMA_X64FRE_EN-US_DV9' }));
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'win.qcow2'), '1G']);
  lv = await connect('qemu:///system');
  await create(
    ctx([win], {
      os: 'windows-10',
      'disk-image': join(dir, 'win.qcow2'),
      iso: join(dir, 'win.iso'),
      display: 'none',
    }),
  );
  await lv.domains.define(tcgDomainXml(foreign));
});
after(async () => {
  if (!isRoot) return;
  for (const n of [win, foreign]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the Windows VM was installed on SATA and e1000e (no driver ISO)', { skip }, async () => {
  assert.deepEqual(devices(await xml(win)), ['disk sda sata', 'cdrom sdb sata', 'nic e1000e']);
});

test('refused while running, and for a VM Phyllome did not make', { skip }, async () => {
  const dom = await lv.domains.lookup(win);
  await dom.start();
  try {
    await rejects(upgrade(ctx([win])), 'vm-wrong-state', /only be switched while it is shut off/);
  } finally {
    await dom.destroy();
  }
  await rejects(upgrade(ctx([foreign])), 'vm-upgrade-not-possible', /was not created by Phyllome/);
  await rejects(upgrade(ctx([win], { undo: true })), 'vm-upgrade-not-possible', /no device upgrade to undo/);
});

test(
  'switches the system disk and NIC to virtio, boot disk first, and says what it changed',
  { skip },
  async () => {
    const before = await xml(win);
    const bootBefore = /<os[\s\S]*?<\/os>/.exec(before)?.[0];
    const r = await upgrade(ctx([win]));
    const out = r.data as UpgradeOutcome;
    assert.deepEqual(
      out.changes.map((c) => [c.device, c.from, c.to]),
      [
        ['disk', 'sata sda', 'virtio vda'],
        ['nic', 'e1000e', 'virtio'],
      ],
    );
    assert.equal(out.changes[0]?.id, join(dir, 'win.qcow2'));
    assert.match(out.precondition, /virtio drivers installed/);
    assert.match(r.human(), /--undo/);
    const after = await xml(win);
    assert.deepEqual(devices(after), ['disk vda virtio', 'cdrom sdb sata', 'nic virtio']);
    assert.equal(/<os[\s\S]*?<\/os>/.exec(after)?.[0], bootBefore, 'the boot order is the same');
    assert.match(after, /upgrade-devices\/1\.0/, 'the old devices are recorded in our metadata');
    // again: nothing left to change
    assert.deepEqual(((await upgrade(ctx([win]))).data as UpgradeOutcome).changes, []);
  },
);

test('--undo puts the SATA disk and e1000e NIC back and drops the record', { skip }, async () => {
  const r = (await upgrade(ctx([win], { undo: true }))).data as UpgradeOutcome;
  assert.equal(r.undone, true);
  assert.deepEqual(
    r.changes.map((c) => [c.device, c.to]),
    [
      ['disk', 'sata sda'],
      ['nic', 'e1000e'],
    ],
  );
  const x = await xml(win);
  assert.deepEqual(devices(x), ['disk sda sata', 'cdrom sdb sata', 'nic e1000e']);
  assert.doesNotMatch(x, /upgrade-devices\/1\.0/);
});
