import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sparseChunks } from './sparse-chunks.js';
import { StreamHole, type StreamChunk } from './streams.js';

/** The chunks as [kind, length] pairs, and the bytes they stand for, put back together. */
const shape = (chunks: StreamChunk[]) =>
  chunks.map((c) => (c instanceof StreamHole ? ['hole', c.length] : ['data', c.length]));
const joined = (chunks: StreamChunk[]) =>
  Buffer.concat(chunks.map((c) => (c instanceof StreamHole ? Buffer.alloc(c.length) : c)));

test('runs of zero blocks become one hole each; a block with any other byte is data; the bytes come back the same', () => {
  const b = Buffer.alloc(10 * 16);
  b[0] = 1; // block 0
  b[20] = 2; // block 1
  // blocks 2-5 zero: one hole
  b[6 * 16 + 15] = 3; // block 6, its last byte
  // blocks 7-9 zero: a trailing hole
  const chunks = sparseChunks(b, 16);
  assert.deepEqual(shape(chunks), [
    ['data', 32],
    ['hole', 64],
    ['data', 16],
    ['hole', 48],
  ]);
  assert.ok(joined(chunks).equals(b));
});

test('a short last block is compared as it is; leading zeros are a hole; all zeros is one hole; no bytes, no chunks', () => {
  const b = Buffer.alloc(16 * 3 + 5);
  b[16 * 3 + 4] = 7; // in the 5-byte last block
  assert.deepEqual(shape(sparseChunks(b, 16)), [
    ['hole', 48],
    ['data', 5],
  ]);
  assert.deepEqual(shape(sparseChunks(Buffer.alloc(16 * 2 + 5), 16)), [['hole', 37]]);
  assert.deepEqual(shape(sparseChunks(Buffer.alloc(100))), [['hole', 100]]);
  assert.deepEqual(sparseChunks(Buffer.alloc(0)), []);
});

test('the default blocks are 4 KiB: zeros shorter than a block inside data stay data', () => {
  const b = Buffer.alloc(3 * 4096);
  b[0] = 1;
  b[4096 + 4095] = 1; // block 1: 4094 zeros before this byte stay in the data
  assert.deepEqual(shape(sparseChunks(b)), [
    ['data', 8192],
    ['hole', 4096],
  ]);
});
