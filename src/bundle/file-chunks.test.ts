import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';
import { FileChunks } from './file-chunks.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-file-chunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function drain(it: AsyncIterator<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) parts.push(r.value);
  return Buffer.concat(parts);
}

/** A file of `size` random bytes named `name`, opened as chunks of `chunk` bytes. */
async function chunksOf(name: string, size: number, chunk: number) {
  const path = join(dir, name);
  const data = randomBytes(size);
  writeFileSync(path, data);
  const fc = await FileChunks.open(path, chunk);
  assert.ok(fc);
  return { path, data, fc };
}

test('a regular file comes out whole, in chunks no larger than asked', async () => {
  const { path, data, fc } = await chunksOf('whole', 100_003, 4096);
  assert.equal(fc.file, path);
  const sizes: number[] = [];
  const parts: Uint8Array[] = [];
  for await (const c of fc) {
    sizes.push(c.length);
    parts.push(Buffer.from(c));
  }
  assert.deepEqual(Buffer.concat(parts), data);
  assert.ok(sizes.every((n) => n > 0 && n <= 4096));
  assert.equal(sizes.length, Math.ceil(data.length / 4096));
});

test('skip moves the next chunk on, drops the read already in flight and stops at the end', async () => {
  const { data, fc } = await chunksOf('skip', 50_000, 1000);
  const it = fc[Symbol.asyncIterator]();
  const first = await it.next();
  assert.deepEqual(Buffer.from(first.value as Uint8Array), data.subarray(0, 1000));
  // The read ahead of 1000..2000 is in flight; a skip must drop it, not hand it out.
  assert.equal(fc.skip(10_500), 10_500);
  const second = await it.next();
  assert.deepEqual(Buffer.from(second.value as Uint8Array), data.subarray(11_500, 12_500));
  // Past the end: clamped to what is left.
  assert.equal(fc.skip(1_000_000), data.length - 12_500);
  assert.equal(fc.skip(10), 0);
  assert.equal((await it.next()).done, true);
});

test('a skip to just before the end leaves exactly the tail', async () => {
  const { data, fc } = await chunksOf('tail', 9000, 4096);
  assert.equal(fc.skip(8990), 8990);
  assert.deepEqual(await drain(fc[Symbol.asyncIterator]()), data.subarray(8990));
});

test('a directory or a FIFO is not a file to read by offset: open returns undefined', async () => {
  assert.equal(await FileChunks.open(dir), undefined);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Opening a FIFO for reading blocks until a writer comes; give it one that writes nothing.
  const writer = import('node:fs/promises').then(async ({ open }) => (await open(fifo, 'w')).close());
  assert.equal(await FileChunks.open(fifo), undefined);
  await writer;
});

test('return() closes the file: nothing more comes out, and the handle is released', async () => {
  const path = join(dir, 'ret');
  writeFileSync(path, randomBytes(20_000));
  const fc = await FileChunks.open(path, 1000);
  assert.ok(fc);
  const it = fc[Symbol.asyncIterator]();
  await it.next();
  const before = countFds();
  await it.return?.();
  assert.equal((await it.next()).done, true);
  assert.equal(countFds(), before - 1);
});

function countFds(): number {
  return Number(
    execFileSync('sh', ['-c', `ls /proc/${process.pid}/fd | wc -l`])
      .toString()
      .trim(),
  );
}
