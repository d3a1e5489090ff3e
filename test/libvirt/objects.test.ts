/**
 * The procedures not covered elsewhere, each against the live daemon: snapshots (qcow2 disk on an
 * inactive domain), managed save, autostart, networks, pool build/refresh/delete, volume wipe
 * (each checked by its effect: the reverted disk and definition, the zeroed bytes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  type Libvirt,
  type StoragePool,
  isNotFound,
  ModifyFlags,
  UndefineFlags,
} from '../../src/libvirt/index.js';
import { isRoot, openSystem, removeDomain, tcgDomainXml, uniqueName, virsh } from './helpers.js';

const run = promisify(execFile);
const WATCHDOG = `<watchdog model='i6300esb' action='reset'/>`;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const skip = isRoot ? false : 'needs root and the system libvirt daemon';
let lv: Libvirt;
let dir: string;
let pool: StoragePool;
const poolName = uniqueName('opool');
const domNames: string[] = [];

before(async () => {
  if (skip) return;
  lv = await openSystem();
  dir = mkdtempSync(join(tmpdir(), 'phyllo-opool-'));
  rmSync(dir, { recursive: true }); // pool build creates it
  pool = await lv.pools.define(
    `<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`,
  );
});

after(async () => {
  if (skip) return;
  for (const n of domNames) {
    try {
      const d = await lv.domains.lookup(n);
      await d.destroy().catch(() => undefined);
      await d.undefine(UndefineFlags.SNAPSHOTS_METADATA | UndefineFlags.MANAGED_SAVE).catch(() => undefined);
    } catch {
      await removeDomain(lv, n);
    }
  }
  try {
    for (const v of await pool.volumes.list().catch(() => [])) await v.delete().catch(() => undefined);
    await pool.destroy().catch(() => undefined);
    await pool.undefine().catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lv.close();
  }
});

test('pool build creates the directory; refresh, autostart and info work', { skip }, async () => {
  await pool.build();
  assert.ok(existsSync(dir));
  await pool.start();
  await pool.refresh();
  await pool.setAutostart(true);
  assert.match(await virsh('pool-info', poolName), /Autostart:\s+yes/);
  await pool.setAutostart(false);
  assert.equal((await pool.info()).state, 'running');
});

/** The first guest-visible bytes of a qcow2 image as hex ("aa aa …"), read with qemu-io as a guest would see them. */
async function guestBytes(image: string, length = 16): Promise<string> {
  const { stdout } = await run('qemu-io', ['-f', 'qcow2', '-r', '-c', `read -v 0 ${length}`, image]);
  // "00000000:  aa aa … aa  ................": the dump lines without their offsets and text column.
  return stdout
    .split('\n')
    .filter((l) => /^[0-9a-f]{8}:/.test(l))
    .map((l) => l.slice(10, 10 + 3 * 16).trim())
    .join(' ');
}

test(
  'snapshots of an inactive domain with a qcow2 disk: create, list, lookup, xml, revert (disk and definition back as they were), delete',
  { skip },
  async () => {
    const vol = await pool.volumes.create(
      `<volume><name>snap.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>`,
    );
    try {
      const image = await vol.path();
      const name = uniqueName('snap');
      domNames.push(name);
      const disk = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${image}'/><target dev='vda' bus='virtio'/></disk>`;
      const d = await lv.domains.define(tcgDomainXml(name).replace('<devices>', `<devices>${disk}`));
      await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0xaa 0 64k', image]);
      const before = await guestBytes(image);
      assert.equal(before, Array(16).fill('aa').join(' '), 'the pattern written before the snapshot');
      const snap = await d.snapshots.create(
        `<domainsnapshot><name>s1</name><description>phyllo</description></domainsnapshot>`,
      );
      assert.equal(snap.name, 's1');
      assert.deepEqual(
        (await d.snapshots.list()).map((s) => s.name),
        ['s1'],
      );
      assert.equal((await virsh('snapshot-list', '--name', name)).trim(), 's1');
      const again = await d.snapshots.lookup('s1');
      assert.match(await again.xml(), /<description>phyllo<\/description>/);

      // After the snapshot: other disk contents and another device in the definition.
      await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x55 0 64k', image]);
      assert.equal(await guestBytes(image), Array(16).fill('55').join(' '));
      await d.attachDevice(WATCHDOG, ModifyFlags.CONFIG);
      assert.match(await d.xml(), /<watchdog model='i6300esb'/);

      await again.revert();
      assert.equal(await guestBytes(image), before, "the disk holds the snapshot's bytes again");
      assert.doesNotMatch(await d.xml(), /<watchdog/, "the definition is the snapshot's again");
      assert.equal((await d.state()).state, 'shutoff');

      await again.delete();
      assert.deepEqual(await d.snapshots.list(), []);
      await assert.rejects(d.snapshots.lookup('s1'), (e: unknown) => isNotFound(e));
      await d.undefine();
    } finally {
      await vol.delete().catch(() => undefined);
    }
  },
);

test('volume wipe zeroes every byte of a volume that held data', { skip }, async () => {
  const size = 1024 * 1024;
  const vol = await pool.volumes.create(
    `<volume><name>wipe.raw</name><capacity unit='bytes'>${size}</capacity><target><format type='raw'/></target></volume>`,
  );
  try {
    const pattern = Buffer.alloc(size, 0);
    for (let i = 0; i < size; i++) pattern[i] = (i % 251) + 1; // never zero
    await vol.upload(Readable.from([pattern]));
    assert.ok((await readAll(await vol.download())).equals(pattern), 'the volume holds the pattern');
    await vol.wipe();
    const after = await readAll(await vol.download());
    assert.equal(after.length, size);
    assert.ok(
      after.equals(Buffer.alloc(size, 0)),
      `non-zero bytes remain after wipe at ${after.findIndex((b) => b !== 0)}`,
    );
  } finally {
    await vol.delete();
  }
});

test('autostart, managed save and its removal on a running domain', { skip }, async () => {
  const name = uniqueName('msave');
  domNames.push(name);
  const d = await lv.domains.define(tcgDomainXml(name));
  await d.setAutostart(true);
  assert.equal(await d.autostart(), true);
  assert.match(await virsh('dominfo', name), /Autostart:\s+enable/);
  await d.setAutostart(false);
  await d.start();
  await d.managedSave();
  assert.equal((await d.state()).state, 'shutoff');
  assert.equal(await d.hasManagedSaveImage(), true);
  await d.managedSaveRemove();
  assert.equal(await d.hasManagedSaveImage(), false);
  await d.undefine();
});

test('network define, start, autostart, xml, destroy, undefine', { skip }, async () => {
  const name = uniqueName('net');
  const bridge = `phy${randomBytes(4).toString('hex')}`;
  const net = await lv.networks.define(`<network><name>${name}</name><bridge name='${bridge}'/></network>`);
  try {
    assert.equal(await net.isActive(), false);
    await net.start();
    assert.equal(await net.isActive(), true);
    await net.setAutostart(true);
    assert.equal(await net.autostart(), true);
    await net.setAutostart(false);
    assert.equal((await net.xml()).trim(), (await virsh('net-dumpxml', name)).trim());
    assert.equal((await lv.networks.lookup(name)).uuid, net.uuid);
    await net.destroy();
    assert.equal(await net.isActive(), false);
  } finally {
    await net.destroy().catch(() => undefined);
    await net.undefine();
  }
  await assert.rejects(lv.networks.lookup(name), (e: unknown) => isNotFound(e));
});

test('pool destroy, delete (removes the directory) and undefine', { skip }, async () => {
  await pool.destroy();
  await pool.delete();
  assert.equal(existsSync(dir), false);
  await pool.undefine();
  await assert.rejects(lv.pools.lookup(poolName), (e: unknown) => isNotFound(e));
});

test('transient network and pool: create starts them, destroy removes them', { skip }, async () => {
  const name = uniqueName('tnet');
  const bridge = `phy${randomBytes(4).toString('hex')}`;
  const net = await lv.networks.create(`<network><name>${name}</name><bridge name='${bridge}'/></network>`);
  assert.equal(await net.isActive(), true);
  await net.destroy();
  await assert.rejects(lv.networks.lookup(name), (e: unknown) => isNotFound(e));

  const tdir = mkdtempSync(join(tmpdir(), 'phyllo-tpool-'));
  try {
    const tname = uniqueName('tpool');
    const p = await lv.pools.create(
      `<pool type='dir'><name>${tname}</name><target><path>${tdir}</path></target></pool>`,
    );
    assert.equal((await p.info()).state, 'running');
    await p.destroy();
    await assert.rejects(lv.pools.lookup(tname), (e: unknown) => isNotFound(e));
  } finally {
    rmSync(tdir, { recursive: true, force: true });
  }
});
