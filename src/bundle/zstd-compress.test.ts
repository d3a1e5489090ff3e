import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { rejectsWith } from '../../test/support/rejects.js';
import { zstdChildren } from '../../test/support/zstd-children.js';
import { zstdCompress, zstdDecompress, compressArgs } from './zstd-compress.js';
import { storedFrame, isZstd } from './zstd-frame.js';
import { ChunkPool } from './chunk-pool.js';
import { readAhead } from './overlap.js';
import { zstdCompressor } from './zstd-push.js';
import { BundleTooLargeError, ZstdCancelledError } from './zstd-errors.js';

const MIB = 2 ** 20;

async function* chunksOf(data: Buffer, size = 256 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `n` bytes of random data, as chunks made on the fly. */
async function* randomChunks(n: number): AsyncGenerator<Buffer> {
  for (let left = n; left > 0; left -= MIB) yield randomBytes(Math.min(MIB, left));
}

async function compressed(data: Buffer): Promise<Buffer> {
  return collect(zstdCompress(chunksOf(data)));
}

test('round trip of 0 bytes, a few bytes and 20 MiB of random data', async () => {
  for (const data of [Buffer.alloc(0), Buffer.from('hello, bundle'), randomBytes(20 * MIB)]) {
    const packed = await compressed(data);
    assert.ok(isZstd(packed));
    const back = await collect(zstdDecompress(chunksOf(packed, 100_000)));
    assert.equal(back.length, data.length);
    assert.equal(sha256(back), sha256(data));
  }
  assert.deepEqual(zstdChildren(), []);
});

test('compressible data gets smaller, and the level and threads reach zstd', async () => {
  const text = Buffer.from('the quick brown fox '.repeat(100_000));
  const packed = await collect(zstdCompress(chunksOf(text), { level: 3, threads: 0 }));
  assert.ok(packed.length < text.length / 50, String(packed.length));
  assert.deepEqual(compressArgs(), ['-q', '-c', '-1', '-T1']);
  assert.deepEqual(compressArgs(19, 0), ['-q', '-c', '-19', '-T0']);
  assert.throws(() => compressArgs(20), /from 1 to 19/);
  assert.throws(() => compressArgs(1, -1), /from 0 to 256/);
});

test('a stored frame then a compressed stream: our decompressor and zstd -d both give the two, in order', async () => {
  const manifest = Buffer.from('{"version":1}'.padEnd(4096, ' '));
  const rest = randomBytes(3 * MIB);
  const bundle = Buffer.concat([storedFrame(manifest), await compressed(rest)]);
  const expected = sha256(Buffer.concat([manifest, rest]));
  assert.equal(sha256(await collect(zstdDecompress(chunksOf(bundle)))), expected);
  const res = spawnSync('zstd', ['-d', '-q', '-c'], { input: bundle, maxBuffer: 16 * MIB });
  assert.equal(res.status, 0);
  assert.equal(sha256(res.stdout), expected);
});

test('a compressed 2 GiB of zeros stops at maxOutputBytes, quickly, and leaves no zstd behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-zstd-bomb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bomb = join(dir, 'bomb.zst');
  const zeros = Buffer.alloc(4 * MIB);
  async function* twoGibOfZeros(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 512; i++) yield zeros;
  }
  const file = createWriteStream(bomb);
  for await (const chunk of zstdCompress(twoGibOfZeros())) if (!file.write(chunk)) await once(file, 'drain');
  file.end();
  await once(file, 'close');
  assert.ok(statSync(bomb).size < MIB, `the bomb is small: ${statSync(bomb).size}`);

  const started = Date.now();
  let received = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of zstdDecompress(createReadStream(bomb), { maxOutputBytes: 8 * MIB }))
        received += chunk.length;
    })(),
    (e: unknown) => e instanceof BundleTooLargeError && e.code === 'bundle-too-large',
  );
  assert.ok(received <= 8 * MIB, `no more than the limit was given out: ${received}`);
  assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
  assert.deepEqual(zstdChildren(), []);
});

test("a flipped byte in the middle of a compressed stream fails as bundle-invalid with zstd's reason", async () => {
  const packed = await compressed(randomBytes(2 * MIB));
  packed[packed.length >> 1]! ^= 0xff;
  await rejectsWith(
    collect(zstdDecompress(chunksOf(packed))),
    'bundle-invalid',
    /damaged: zstd says "Decoding error \(\d+\) : (Data corruption|Restored data doesn.t match checksum)/,
  );
  assert.deepEqual(zstdChildren(), []);
});

test('a cut-short stream and data that is not zstd fail as bundle-invalid', async () => {
  const packed = await compressed(randomBytes(MIB));
  await rejectsWith(
    collect(zstdDecompress(chunksOf(packed.subarray(0, packed.length >> 1)))),
    'bundle-invalid',
    /premature end/,
  );
  await rejectsWith(
    collect(zstdDecompress(chunksOf(Buffer.from('not a bundle at all')))),
    'bundle-invalid',
    /unsupported format/,
  );
  assert.deepEqual(zstdChildren(), []);
});

test('a missing zstd binary fails as zstd-missing with the way to install it', async (t) => {
  await rejectsWith(
    collect(zstdCompress(chunksOf(Buffer.from('x')), { binary: '/nonexistent/zstd' })),
    'zstd-missing',
    /\/nonexistent\/zstd/,
    /apt-get install zstd/,
  );
  const path = process.env.PATH;
  t.after(() => (process.env.PATH = path));
  process.env.PATH = '/nonexistent';
  await rejectsWith(collect(zstdDecompress(chunksOf(Buffer.from('x')))), 'zstd-missing', /not found/);
});

test('aborting mid-stream kills zstd and rejects with a cancelled AbortError', async () => {
  const controller = new AbortController();
  let received = 0;
  const run = (async () => {
    for await (const chunk of zstdCompress(randomChunks(1024 * MIB), { signal: controller.signal })) {
      received += chunk.length;
      if (received > 4 * MIB) controller.abort();
    }
  })();
  await assert.rejects(
    run,
    (e: unknown) => e instanceof ZstdCancelledError && e.name === 'AbortError' && e.code === 'cancelled',
  );
  assert.ok(received < 64 * MIB, String(received));
  assert.deepEqual(zstdChildren(), []);

  // Aborted before it starts: zstd is not even run.
  await assert.rejects(collect(zstdDecompress(chunksOf(Buffer.alloc(1)), { signal: AbortSignal.abort() })), {
    code: 'cancelled',
  });
});

test('a consumer that stops early, and a source that fails, leave no zstd behind', async () => {
  for await (const chunk of zstdCompress(randomChunks(256 * MIB))) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.deepEqual(zstdChildren(), []);

  async function* failing(): AsyncGenerator<Buffer> {
    yield randomBytes(MIB);
    throw new Error('disk read failed');
  }
  await assert.rejects(collect(zstdCompress(failing())), /disk read failed/);
  assert.deepEqual(zstdChildren(), []);
});

test('chunks from a pool go back to it once zstd wrote them, and the output holds every byte as it was read', async () => {
  const data = randomBytes(24 * MIB + 123);
  // 1 MiB, as the export reads: more than the pipe takes at once, so a write waits for zstd.
  const pool = new ChunkPool(MIB);
  let reused = 0;
  const seen = new Set<Buffer>();
  async function* pooled(): AsyncGenerator<Buffer> {
    for (let at = 0; at < data.length; at += pool.size) {
      const buf = pool.take();
      if (seen.has(buf)) reused++;
      seen.add(buf);
      const n = data.copy(buf, 0, at, at + pool.size);
      yield pool.lend(n === buf.length ? buf : buf.subarray(0, n), buf);
    }
  }
  // As the export feeds it (write-bundle.ts): read ahead (overlap.ts), pushed through a writer that
  // takes the next chunk while zstd's stdin still writes the last, so reads take buffers meanwhile.
  const parts: Buffer[] = [];
  const writer = zstdCompressor(async (c) => void parts.push(c));
  for await (const chunk of readAhead(pooled(), 2)) await writer.write(chunk);
  await writer.end();
  const out = Buffer.concat(parts);
  assert.equal(sha256(await collect(zstdDecompress(chunksOf(out)))), sha256(data));
  assert.ok(reused > 0, 'some buffers were read into again');
  assert.ok(
    seen.size < data.length / pool.size,
    `${seen.size} buffers for ${Math.ceil(data.length / pool.size)} chunks`,
  );
});
