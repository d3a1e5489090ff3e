import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { rejectsWith } from '../../test/support/rejects.js';
import { zstdChildren } from '../../test/support/zstd-children.js';
import { zstdCompressor, zstdDecompressor } from './zstd-push.js';
import { storedFrame } from './zstd-frame.js';

const MIB = 2 ** 20;

function collector(): { sink: (chunk: Buffer) => Promise<void>; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return { sink: async (chunk) => void parts.push(chunk), bytes: () => Buffer.concat(parts) };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test('written chunks come out compressed into the sink, and decompress back through the other writer', async () => {
  const packed = collector();
  const compressor = zstdCompressor(packed.sink);
  const manifest = Buffer.from('{}'.padEnd(1024, ' '));
  const parts = [randomBytes(3 * MIB), Buffer.from('text '.repeat(200_000)), Buffer.alloc(0), randomBytes(7)];
  for (const part of parts) await compressor.write(part);
  await compressor.end();

  const unpacked = collector();
  const decompressor = zstdDecompressor(unpacked.sink, { maxOutputBytes: 8 * MIB });
  await decompressor.write(storedFrame(manifest));
  await decompressor.write(packed.bytes());
  await decompressor.end();
  assert.equal(sha256(unpacked.bytes()), sha256(Buffer.concat([manifest, ...parts])));
  assert.deepEqual(zstdChildren(), []);
});

test('a sink that does not take more holds the writer back', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const compressor = zstdCompressor(() => held);
  let accepted = 0;
  let blocked = false;
  while (accepted < 64) {
    const write = compressor.write(randomBytes(MIB));
    const outcome = await Promise.race([write.then(() => 'taken'), sleep(300).then(() => 'waiting')]);
    if (outcome === 'waiting') {
      blocked = true;
      release();
      await write;
      break;
    }
    accepted++;
  }
  assert.ok(blocked, 'a write waited for the sink');
  assert.ok(accepted < 16, `only the pipes' worth was taken: ${accepted} MiB`);
  await compressor.end();
  assert.deepEqual(zstdChildren(), []);
});

test('a failing sink, damaged data and the output limit reject the writer and leave no zstd', async () => {
  const compressor = zstdCompressor(async () => {
    throw new Error('disk full');
  });
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 64; i++) await compressor.write(randomBytes(MIB));
      await compressor.end();
    })(),
    /disk full/,
  );
  await assert.rejects(compressor.end(), /disk full/);
  assert.deepEqual(zstdChildren(), []);

  const damaged = zstdDecompressor(collector().sink);
  await damaged.write(Buffer.from('definitely not zstd')).catch(() => undefined);
  await rejectsWith(damaged.end(), 'bundle-invalid', /unsupported format/);

  const packed = collector();
  const zeros = zstdCompressor(packed.sink);
  for (let i = 0; i < 16; i++) await zeros.write(Buffer.alloc(MIB));
  await zeros.end();
  const limited = zstdDecompressor(collector().sink, { maxOutputBytes: MIB });
  await limited.write(packed.bytes()).catch(() => undefined);
  await rejectsWith(limited.end(), 'bundle-too-large', /more than the 1048576 bytes/);
  assert.deepEqual(zstdChildren(), []);
});

test('a cancel rejects pending writes and end', async () => {
  const controller = new AbortController();
  const compressor = zstdCompressor(() => sleep(5), { signal: controller.signal });
  await compressor.write(randomBytes(MIB));
  controller.abort();
  await rejectsWith(compressor.end(), 'cancelled', /cancelled/);
  await rejectsWith(compressor.write(Buffer.from('x')), 'cancelled', /cancelled/);
  assert.deepEqual(zstdChildren(), []);
});
