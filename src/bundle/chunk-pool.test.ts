import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkPool, consumed } from './chunk-pool.js';

test('a buffer comes back only when its chunk is consumed, and only once', () => {
  const pool = new ChunkPool(16);
  const a = pool.take();
  const chunk = pool.lend(a.subarray(0, 10), a);
  assert.equal(pool.idle, 0);
  // Another buffer is taken while the chunk is still held: never the one lent.
  const b = pool.take();
  assert.notEqual(b.buffer, a.buffer);
  consumed(chunk);
  assert.equal(pool.idle, 1);
  consumed(chunk);
  assert.equal(pool.idle, 1, 'a second consumed() of the same chunk gives nothing back');
  assert.equal(pool.take(), a);
});

test('a chunk that is not the lent object (a copy, another view) gives nothing back', () => {
  const pool = new ChunkPool(8);
  const a = pool.take();
  pool.lend(a, a);
  consumed(a.subarray(0, 4));
  consumed(Buffer.from(a));
  consumed(new Uint8Array(8));
  assert.equal(pool.idle, 0);
});

test('a buffer never lent, or lent and never consumed, is not reused', () => {
  const pool = new ChunkPool(8);
  const taken = new Set([pool.take(), pool.take()]);
  const [first] = taken;
  pool.lend(first!, first!);
  assert.ok(!taken.has(pool.take()));
});

test('at most `keep` free buffers are kept', () => {
  const pool = new ChunkPool(4, 2);
  const chunks = [0, 1, 2].map(() => {
    const b = pool.take();
    return pool.lend(b, b);
  });
  for (const c of chunks) consumed(c);
  assert.equal(pool.idle, 2);
});
