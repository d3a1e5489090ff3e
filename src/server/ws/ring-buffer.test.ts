import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps items oldest first until full, then overwrites the oldest', () => {
    const r = new RingBuffer<number>(3);
    assert.deepEqual(r.toArray(), []);
    assert.equal(r.last(), undefined);
    r.push(1);
    r.push(2);
    assert.deepEqual(r.toArray(), [1, 2]);
    r.push(3);
    r.push(4);
    r.push(5);
    assert.deepEqual(r.toArray(), [3, 4, 5]);
    assert.equal(r.size, 3);
    assert.equal(r.last(), 5);
  });

  it('holds no more than its capacity however long it is fed (600 samples: 10 minutes at 1/s)', () => {
    const r = new RingBuffer<number>(600);
    for (let i = 0; i < 10_000; i++) r.push(i);
    const all = r.toArray();
    assert.equal(all.length, 600);
    assert.equal(all[0], 9400);
    assert.equal(all[599], 9999);
  });

  it('drops the oldest items while they are too old, across the wrap', () => {
    const r = new RingBuffer<number>(4);
    for (const n of [1, 2, 3, 4, 5, 6]) r.push(n);
    r.dropWhile((n) => n < 5);
    assert.deepEqual(r.toArray(), [5, 6]);
    r.push(7);
    r.push(8);
    r.push(9);
    assert.deepEqual(r.toArray(), [6, 7, 8, 9]);
    r.dropWhile(() => true);
    assert.equal(r.size, 0);
    r.push(10);
    assert.deepEqual(r.toArray(), [10]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new RingBuffer(0), RangeError);
    assert.throws(() => new RingBuffer(1.5), RangeError);
  });
});
