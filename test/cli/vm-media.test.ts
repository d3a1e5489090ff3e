/**
 * `vm media` on the real system daemon: a VM `vm create --iso` made has a SATA CD-ROM drive whose
 * medium is ejected and inserted in the definition while shut off and in the drive itself while it
 * runs; a VM without a drive gets one only shut off; a bad path changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as media } from '../../src/cli/commands/vm-media.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { MediaOutcome } from '../../src/machines/vm-media.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { isoImage } from '../support/iso-image.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const withDrive = uniqueName('media');
const noDrive = uniqueName('media-none');

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });

async function run(positionals: string[], values: CommandContext['values'] = {}): Promise<MediaOutcome> {
  return (await media(ctx(positionals, values))).data as MediaOutcome;
}

/** The cdrom sources of the definition (or the running VM). */
async function sources(name: string, live = false): Promise<(string | undefined)[]> {
  const xml = await (await lv.domains.lookup(name)).xml(live ? 0 : DomainXmlFlags.INACTIVE);
  return [...xml.matchAll(/<disk type='file' device='cdrom'>([\s\S]*?)<\/disk>/g)].map(
    (m) => /<source file='([^']*)'/.exec(m[1] as string)?.[1],
  );
}

const rejects = rejectsWith;

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-media-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'install.iso'), isoImage({ volumeId: 'INSTALL' }));
  writeFileSync(join(dir, 'drivers.iso'), isoImage({ volumeId: 'virtio-win-0.1.240' }));
  writeFileSync(join(dir, 'notes.txt'), 'not an ISO');
  lv = await connect('qemu:///system');
  const opts = { os: 'linux', memory: '1G', 'disk-size': 'none', display: 'none' };
  await create(ctx([withDrive], { ...opts, iso: join(dir, 'install.iso') }));
  await create(ctx([noDrive], opts));
});
after(async () => {
  if (!isRoot) return;
  for (const n of [withDrive, noDrive]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('shut off: eject and insert change the definition', { skip }, async () => {
  assert.deepEqual(await sources(withDrive), [join(dir, 'install.iso')]);
  const out = await run([withDrive, 'eject']);
  assert.equal(out.applies, 'definition');
  assert.equal(out.previous, join(dir, 'install.iso'));
  assert.deepEqual(await sources(withDrive), [undefined]);
  const ins = await run([withDrive, 'insert', join(dir, 'drivers.iso')]);
  assert.equal(ins.source, join(dir, 'drivers.iso'));
  assert.deepEqual(await sources(withDrive), [join(dir, 'drivers.iso')]);
});

test('a path that is not an ISO, or a drive that is not there, changes nothing', { skip }, async () => {
  await rejects(run([withDrive, 'insert', join(dir, 'notes.txt')]), 'invalid-file', /is not an ISO image/);
  await rejects(run([withDrive, 'insert', join(dir, 'absent.iso')]), 'missing-file', /absent\.iso/);
  await rejects(run([withDrive, 'eject'], { target: 'sdz' }), 'no-cdrom-drive', /has no CD-ROM drive sdz/);
  await rejects(run([withDrive, 'insert']), 'invalid-input', /insert needs the ISO/);
  assert.deepEqual(await sources(withDrive), [join(dir, 'drivers.iso')]);
});

test('running: the drive itself changes, and the definition with it', { skip }, async () => {
  const dom = await lv.domains.lookup(withDrive);
  await dom.start();
  try {
    const out = await run([withDrive, 'insert', join(dir, 'install.iso')]);
    assert.equal(out.applies, 'now');
    assert.equal(out.previous, join(dir, 'drivers.iso'));
    assert.deepEqual(await sources(withDrive, true), [join(dir, 'install.iso')]);
    assert.deepEqual(await sources(withDrive), [join(dir, 'install.iso')]);
    await run([withDrive, 'eject']);
    assert.deepEqual(await sources(withDrive, true), [undefined]);
    assert.deepEqual(await sources(withDrive), [undefined]);
  } finally {
    await dom.destroy();
  }
});

test('no drive: an error that says how; --add-drive only while shut off', { skip }, async () => {
  await rejects(run([noDrive, 'insert', join(dir, 'drivers.iso')]), 'no-cdrom-drive', /has no CD-ROM drive$/);
  const dom = await lv.domains.lookup(noDrive);
  await dom.start();
  try {
    await rejects(
      run([noDrive, 'insert', join(dir, 'drivers.iso')], { 'add-drive': true }),
      'vm-wrong-state',
      /cannot be hot-added on SATA/,
    );
  } finally {
    await dom.destroy();
  }
  assert.deepEqual(await sources(noDrive), []);
  const out = await run([noDrive, 'insert', join(dir, 'drivers.iso')], { 'add-drive': true });
  assert.equal(out.addedDrive, true);
  assert.deepEqual(await sources(noDrive), [join(dir, 'drivers.iso')]);
  assert.match(
    await (await lv.domains.lookup(noDrive)).xml(DomainXmlFlags.INACTIVE),
    new RegExp(`<target dev='${out.target}' bus='sata'/>`),
  );
});
