import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isZstd, storedFrame, storedFrameLength, ZSTD_MAGIC } from './zstd-frame.js';

/** The system's `zstd -d`, the reference decoder. */
function systemDecompress(input: Buffer): Buffer {
  const res = spawnSync('zstd', ['-d', '-q', '-c'], { input, maxBuffer: 64 * 2 ** 20 });
  assert.equal(res.status, 0, res.stderr.toString());
  return res.stdout;
}

function systemCompress(input: Buffer): Buffer {
  const res = spawnSync('zstd', ['-q', '-c', '-3'], { input, maxBuffer: 64 * 2 ** 20 });
  assert.equal(res.status, 0, res.stderr.toString());
  return res.stdout;
}

const KIB = 1024;
const SIZES = [0, 1, 255, 256, 512, 65791, 65792, 66048, 128 * KIB, 128 * KIB + 1, 1024 * KIB];

test('zstd -d gives back the data of a stored frame, for sizes around every field and block boundary', () => {
  for (const n of SIZES) {
    const data = randomBytes(n);
    const frame = storedFrame(data);
    assert.equal(frame.length, storedFrameLength(n), `length for ${n}`);
    assert.ok(isZstd(frame));
    assert.ok(systemDecompress(frame).equals(data), `content for ${n}`);
  }
});

test('a stored frame followed by ordinary zstd output decompresses to both, in order', () => {
  const a = Buffer.from('{"manifest":true}'.padEnd(66048, ' '));
  const b = Buffer.from('compressible text '.repeat(50_000));
  const bundle = Buffer.concat([storedFrame(a), systemCompress(b)]);
  assert.ok(systemDecompress(bundle).equals(Buffer.concat([a, b])));
});

test('the length depends on the data length only, and grows by one block header per 128 KiB', () => {
  for (const n of [0, 512, 66048, 128 * KIB + 1]) {
    const zeros = storedFrame(Buffer.alloc(n));
    const other = storedFrame(Buffer.alloc(n, 0xa5));
    assert.equal(zeros.length, other.length);
    if (n > 0) assert.notDeepEqual(zeros, other);
  }
  // Magic 4 + descriptor 1 + content size 4 + one 3-byte header per block.
  assert.equal(storedFrameLength(128 * KIB), 4 + 1 + 4 + 3 + 128 * KIB);
  assert.equal(storedFrameLength(128 * KIB + 1), 4 + 1 + 4 + 6 + 128 * KIB + 1);
  assert.equal(storedFrameLength(0), 4 + 1 + 1 + 3);
  assert.throws(() => storedFrameLength(-1), RangeError);
});

test('the header is single-segment with the content size, no checksum, raw blocks', () => {
  const frame = storedFrame(Buffer.from('hi'));
  assert.deepEqual([...frame], [0x28, 0xb5, 0x2f, 0xfd, 0x20, 2, (2 << 3) | 1, 0, 0, 0x68, 0x69]);
  assert.equal(storedFrame(Buffer.alloc(300))[4], 0x60); // 2-byte content size field
  assert.equal(storedFrame(Buffer.alloc(300)).readUInt16LE(5), 300 - 256);
});

test('isZstd reads the frame magic 0xFD2FB528 little-endian', () => {
  assert.equal(ZSTD_MAGIC.readUInt32LE(0), 0xfd2fb528);
  assert.ok(isZstd(systemCompress(Buffer.from('x'))));
  assert.equal(isZstd(Buffer.from('ustar')), false);
  assert.equal(isZstd(ZSTD_MAGIC.subarray(0, 3)), false);
});
