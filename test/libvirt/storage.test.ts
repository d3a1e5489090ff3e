/** A dir pool in a temp dir; volume upload/download round trip over streams. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Libvirt, type StoragePool, isNotFound } from '../../src/libvirt/index.js';
import { isRoot, openSystem, uniqueName, virsh } from './helpers.js';

const skip = isRoot ? false : 'needs root and the system libvirt daemon';
let lv: Libvirt;
let dir: string;
let pool: StoragePool;
const poolName = uniqueName('pool');

before(async () => {
  if (skip) return;
  lv = await openSystem();
  dir = mkdtempSync(join(tmpdir(), 'phyllo-pool-'));
  pool = await lv.pools.define(
    `<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`,
  );
  await pool.start();
});

after(async () => {
  if (skip) return;
  try {
    for (const v of await pool.volumes.list()) await v.delete().catch(() => undefined);
    await pool.destroy().catch(() => undefined);
    await pool.undefine().catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lv.close();
  }
});

/** Sizes and timestamps change as other tests write to the same filesystem. */
function stripVolatile(xml: string): string {
  return xml
    .replace(/<(capacity|allocation|available|physical)\b[^>]*>\d+<\/\1>/g, '')
    .replace(/<timestamps>[\s\S]*?<\/timestamps>/g, '')
    .trim();
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('pool is listed, active, and described like virsh does', { skip }, async () => {
  assert.ok((await lv.pools.list()).some((p) => p.name === poolName));
  assert.ok(await pool.isActive());
  const info = await pool.info();
  assert.equal(info.state, 'running');
  assert.ok(info.capacity > 0n);
  assert.equal(stripVolatile(await pool.xml()), stripVolatile(await virsh('pool-dumpxml', poolName)));
  assert.equal((await lv.pools.lookup(poolName)).uuid, pool.uuid);
});

test('upload then download a 3 MiB volume byte-identically (sha256)', { skip }, async () => {
  const size = 3 * 1024 * 1024 + 12345;
  const data = randomBytes(size);
  const vol = await pool.volumes.create(
    `<volume><name>rt.img</name><capacity unit='bytes'>${size}</capacity><target><format type='raw'/></target></volume>`,
  );
  // Odd-sized pieces exercise the 256 KiB re-chunking.
  const pieces: Buffer[] = [];
  for (let off = 0; off < size; off += 700_001) pieces.push(data.subarray(off, off + 700_001));
  await vol.upload(Readable.from(pieces));
  const path = await vol.path();
  assert.equal(sha(readFileSync(path)), sha(data), 'the file on disk is what we sent');
  const chunks: Buffer[] = [];
  for await (const c of await vol.download()) chunks.push(c as Buffer);
  assert.equal(sha(Buffer.concat(chunks)), sha(data), 'download returns the same bytes');
  const part: Buffer[] = [];
  for await (const c of await vol.download({ offset: 1000, length: 5000 })) part.push(c as Buffer);
  assert.deepEqual(Buffer.concat(part), data.subarray(1000, 6000));

  const info = await vol.info();
  assert.equal(info.type, 'file');
  assert.equal(info.capacity, BigInt(size));
  assert.equal((await lv.volumes.lookupByPath(path)).name, 'rt.img');
  assert.equal(
    stripVolatile(await vol.xml()),
    stripVolatile(await virsh('vol-dumpxml', '--pool', poolName, 'rt.img')),
  );

  const clone = await pool.volumes.createFrom(
    `<volume><name>clone.img</name><capacity unit='bytes'>${size}</capacity><target><format type='raw'/></target></volume>`,
    vol,
  );
  assert.equal(sha(readFileSync(await clone.path())), sha(data));
  await clone.delete();
  await vol.delete();
  await assert.rejects(pool.volumes.lookup('rt.img'), (e: unknown) => isNotFound(e));
});
