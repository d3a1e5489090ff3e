/**
 * `copyDiskSparse` on real libvirt daemons: the copy is exact and sparse (both ways of moving the
 * bytes), a linked clone's overlay comes out flattened, and failures leave nothing behind — a pool
 * too small (seen before starting), a pool that fills midway (a tiny tmpfs), a cancel midway, and the
 * daemon killed midway (the test's own second daemon: a typed error naming what is left).
 * Every pool is the test's own transient dir pool in a directory of its own.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JobCancelledError, startJob } from '../../src/jobs/job.js';
import { connect, type Libvirt, type StoragePool } from '../../src/libvirt/index.js';
import { copyDiskSparse, type DiskCopyOptions } from '../../src/machines/disk-copy.js';
import { DiskCopyError, PoolFullError, VolumeExistsError } from '../../src/machines/disk-copy-errors.js';
import { uniqueName } from '../libvirt/helpers.js';
import { startSecondHost } from '../support/second-host.js';
import { fillTmpfs, tmpfsPool } from '../support/tmpfs.js';

const MiB = 2 ** 20;
const IMAGES = '/var/lib/libvirt/images';
let lv: Libvirt;
const cleanup: (() => unknown)[] = [];
const shAsync = promisify(execFile);
const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

after(async () => {
  for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => undefined);
  await lv.close();
});

/** A transient dir pool over `dir` (made if missing), destroyed and its directory removed after the tests. */
async function dirPool(on: Libvirt, name: string, dir: string, removeDir = true): Promise<StoragePool> {
  mkdirSync(dir, { recursive: true });
  const pool = await on.pools.create(
    `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`,
  );
  cleanup.push(async () => {
    await pool.destroy();
    if (removeDir) rmSync(dir, { recursive: true, force: true });
  });
  return pool;
}

/** A raw image of `virtualMiB` with `extents` runs of 1 MiB random data, spread out (not blocking: keepalives go on). */
async function makeImage(path: string, virtualMiB: number, extents: number): Promise<void> {
  await shAsync('truncate', ['-s', `${virtualMiB}M`, path]);
  const step = Math.floor(virtualMiB / extents);
  for (let i = 0; i < extents; i++)
    await shAsync('dd', [
      'if=/dev/urandom',
      `of=${path}`,
      'bs=1M',
      'count=1',
      `seek=${i * step}`,
      'conv=notrunc',
      'status=none',
    ]);
}

let sourceDir: string;
before(async () => {
  const name = uniqueName('dcsrc');
  sourceDir = join(IMAGES, name);
  mkdirSync(sourceDir);
  await makeImage(join(sourceDir, 'small.raw'), 1024, 6); // 6 MiB of data, 1 GiB virtual
  await makeImage(join(sourceDir, 'big.raw'), 1024, 64); // 64 MiB of data, 1 GiB virtual
  await makeImage(join(sourceDir, 'base.raw'), 256, 4);
  sh('qemu-img', [
    'convert',
    '-f',
    'raw',
    '-O',
    'qcow2',
    join(sourceDir, 'base.raw'),
    join(sourceDir, 'base.qcow2'),
  ]);
  sh('qemu-img', [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    join(sourceDir, 'base.qcow2'),
    '-F',
    'qcow2',
    join(sourceDir, 'overlay.qcow2'),
  ]);
  sh('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x77 100M 1M', join(sourceDir, 'overlay.qcow2')]);
  // Connected only now: the synchronous commands above would starve its keepalive.
  lv = await connect('qemu:///system');
  await dirPool(lv, name, sourceDir);
});

const allocated = (path: string): number => statSync(path).blocks * 512;

async function copy(source: string, pool: string, name: string, options: DiskCopyOptions = {}) {
  const job = startJob('disk copy', (ctx) => copyDiskSparse(lv, source, { pool, name }, ctx, options));
  return { job, result: job.result };
}

for (const via of ['local', 'stream'] as const) {
  test(`a ${via} byte copy is exact and as sparse as its source, with progress in bytes up to the total`, async () => {
    const name = uniqueName(`dc${via}`);
    await dirPool(lv, name, join(IMAGES, name));
    const src = join(sourceDir, 'big.raw');
    const { job, result } = await copy(src, name, 'copy.raw', { via });
    const seen: { done: number; total?: number; unit: string }[] = [];
    job.on('progress', (p) => seen.push(p));
    const r = await result;
    assert.equal(r.via, via);
    assert.equal(r.method, 'sparse-stream');
    sh('cmp', [src, r.path]);
    assert.equal(statSync(r.path).size, statSync(src).size);
    assert.ok(allocated(r.path) <= allocated(src) + MiB, `${allocated(r.path)} bytes allocated`);
    const info = await r.volume.info();
    assert.equal(info.capacity, 1024n * BigInt(MiB));
    const last = seen.at(-1)!;
    assert.equal(last.unit, 'bytes');
    assert.equal(last.done, last.total);
    assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done));
  });
}

test('a linked clone overlay is flattened: the copy has no backing file and reads the same', async () => {
  const name = uniqueName('dcflat');
  await dirPool(lv, name, join(IMAGES, name));
  const { result } = await copy(join(sourceDir, 'overlay.qcow2'), name, 'full.qcow2');
  const r = await result;
  assert.equal(r.method, 'create-from');
  const info = JSON.parse(sh('qemu-img', ['info', '--output=json', r.path])) as Record<string, unknown>;
  assert.equal(info['format'], 'qcow2');
  assert.equal(info['backing-filename'], undefined);
  sh('qemu-img', ['compare', join(sourceDir, 'overlay.qcow2'), r.path]);
});

test('via create-from, a same-format qcow2 copy goes through the daemon and reads the same', async () => {
  const name = uniqueName('dccf');
  await dirPool(lv, name, join(IMAGES, name));
  const { result } = await copy(join(sourceDir, 'base.qcow2'), name, 'copy.qcow2', { via: 'create-from' });
  const r = await result;
  assert.equal(r.method, 'create-from');
  assert.equal(r.via, 'create-from');
  sh('qemu-img', ['compare', join(sourceDir, 'base.qcow2'), r.path]);
});

test('a target name already taken: VolumeExistsError, and the old volume is untouched', async () => {
  const name = uniqueName('dcexists');
  const dir = join(IMAGES, name);
  await dirPool(lv, name, dir);
  writeFileSync(join(dir, 'taken.raw'), 'old');
  await (await lv.pools.lookup(name)).refresh();
  const { result } = await copy(join(sourceDir, 'small.raw'), name, 'taken.raw');
  await assert.rejects(
    result,
    (err: unknown) => err instanceof VolumeExistsError && err.code === 'volume-exists',
  );
  assert.equal(readFileSync(join(dir, 'taken.raw'), 'utf8'), 'old');
});

/** A tmpfs of `mib` MiB as a dir pool; unmounted after the tests. */
async function fullablePool(mib: number): Promise<{ name: string; dir: string }> {
  const name = uniqueName('dcfull');
  const dir = join(IMAGES, name);
  cleanup.push((await tmpfsPool(lv, name, dir, mib)).remove);
  return { name, dir };
}

test('a pool too small for the data: PoolFullError before anything is made', async () => {
  const { name, dir } = await fullablePool(8);
  const { result } = await copy(join(sourceDir, 'big.raw'), name, 'copy.raw');
  await assert.rejects(result, (err: unknown) => err instanceof PoolFullError && err.code === 'pool-full');
  assert.deepEqual(readdirSync(dir), []);
});

for (const via of ['local', 'stream'] as const) {
  test(`a pool that fills during a ${via} copy: PoolFullError, and the new volume is gone`, async () => {
    const { name, dir } = await fullablePool(8);
    const pool = await lv.pools.lookup(name);
    const { job, result } = await copy(join(sourceDir, 'small.raw'), name, 'copy.raw', { via });
    let filled = false;
    job.on('progress', () => {
      if (filled) return;
      filled = true;
      // The target exists and nothing is copied yet: take every free byte of the tmpfs.
      fillTmpfs(dir);
    });
    await assert.rejects(result, (err: unknown) => err instanceof PoolFullError && err.code === 'pool-full');
    assert.ok(filled);
    await pool.refresh();
    assert.deepEqual(
      (await pool.volumes.list()).map((v) => v.name),
      ['filler'],
    );
    assert.deepEqual(readdirSync(dir), ['filler']);
  });
}

test('cancelling midway through a stream copy leaves no target volume', async () => {
  const name = uniqueName('dccancel');
  const dir = join(IMAGES, name);
  const pool = await dirPool(lv, name, dir);
  const { job, result } = await copy(join(sourceDir, 'big.raw'), name, 'copy.raw', { via: 'stream' });
  let cancelledAt = -1;
  job.on('progress', (p) => {
    if (p.done > 0 && cancelledAt < 0) {
      cancelledAt = p.done;
      job.cancel();
    }
  });
  await assert.rejects(
    result,
    (err: unknown) => err instanceof JobCancelledError && err.leftBehind.length === 0,
  );
  assert.ok(cancelledAt > 0 && cancelledAt < 64 * MiB, `cancelled at ${cancelledAt}`);
  await pool.refresh();
  assert.deepEqual(await pool.volumes.list(), []);
  assert.deepEqual(readdirSync(dir), []);
});

test('the daemon killed midway: a typed error that names the partial volume left on that host', async () => {
  const host = await startSecondHost();
  cleanup.push(() => host.stop());
  const images = join(host.dir, 'lib', 'images');
  mkdirSync(join(images, 'dc'), { recursive: true });
  await makeImage(join(images, 'dc', 'source.raw'), 1024, 48);
  const remote = await connect(host.uri);
  try {
    const pool = await remote.pools.create(
      `<pool type='dir'><name>dc</name><target><path>/var/lib/libvirt/images/dc</path></target></pool>`,
    );
    await pool.refresh();
    const job = startJob('disk copy', (ctx) =>
      copyDiskSparse(remote, '/var/lib/libvirt/images/dc/source.raw', { pool: 'dc', name: 'copy.raw' }, ctx),
    );
    let killed = false;
    job.on('progress', (p) => {
      if (p.done > 0 && !killed) {
        killed = true;
        host.killDaemon();
      }
    });
    const err = await job.result.then(
      () => assert.fail('the copy went through with its daemon killed'),
      (e: unknown) => e,
    );
    assert.ok(killed);
    assert.ok(err instanceof DiskCopyError, String(err));
    assert.equal(err.code, 'disk-copy-failed');
    assert.match(err.message, /dc\/source\.raw to dc\/copy\.raw/);
    const left = (err as DiskCopyError & { leftBehind: string[] }).leftBehind;
    assert.equal(left.length, 1);
    assert.match(
      left[0]!,
      /created the volume dc\/copy\.raw \(\/var\/lib\/libvirt\/images\/dc\/copy\.raw\) \(undo failed/,
    );
    // The partial file is there, as the error says (the daemon could not be asked to delete it).
    assert.ok(existsSync(join(images, 'dc', 'copy.raw')));
  } finally {
    await remote.close().catch(() => undefined);
  }
});
