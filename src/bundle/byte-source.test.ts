import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteSource, type SkippingSource } from './byte-source.js';

/** A source of `size` bytes (byte i is i & 0xff) in chunks of `chunk`, recording what it was asked. */
class Counted implements SkippingSource {
  readonly file = '/some/file';
  pos = 0;
  served: number[] = [];
  skips: number[] = [];
  constructor(
    private readonly size: number,
    private readonly chunk: number,
  ) {}
  skip(n: number): number {
    const moved = Math.max(0, Math.min(n, this.size - this.pos));
    this.pos += moved;
    this.skips.push(moved);
    return moved;
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        if (this.pos >= this.size) return { done: true, value: undefined };
        const n = Math.min(this.chunk, this.size - this.pos);
        const c = Buffer.alloc(n);
        for (let i = 0; i < n; i++) c[i] = (this.pos + i) & 0xff;
        this.served.push(this.pos);
        this.pos += n;
        return { done: false, value: c };
      },
    };
  }
}

/** The same bytes as a plain async iterable: no skip. */
async function* plain(size: number, chunk: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < size; pos += chunk) {
    const n = Math.min(chunk, size - pos);
    const c = Buffer.alloc(n);
    for (let i = 0; i < n; i++) c[i] = (pos + i) & 0xff;
    yield c;
  }
}

test('with a skipping source, skip uses the rest of the chunk, then source.skip; skipped chunks are never read', async () => {
  const src = new Counted(1_000_000, 1000);
  const bs = new ByteSource(src);
  assert.equal(bs.file, '/some/file');
  const head = await bs.read(10);
  assert.equal(head[9], 9);
  assert.equal(await bs.skip(500_000), 500_000);
  assert.equal(bs.offset, 500_010);
  assert.deepEqual(src.skips, [500_000 - 990]);
  const next = await bs.read(3);
  assert.deepEqual([...next], [500_010 & 0xff, 500_011 & 0xff, 500_012 & 0xff]);
  // Only the chunk at 0 and the one the skip landed on were served.
  assert.deepEqual(src.served, [0, 500_010]);
});

test('with a plain source, skip reads through and lands at the same offset', async () => {
  const bs = new ByteSource(plain(1_000_000, 1000));
  assert.equal(bs.file, undefined);
  await bs.read(10);
  assert.equal(await bs.skip(500_000), 500_000);
  assert.equal(bs.offset, 500_010);
  const next = await bs.read(3);
  assert.deepEqual([...next], [500_010 & 0xff, 500_011 & 0xff, 500_012 & 0xff]);
});

test('a skip past the end returns what was there, for both kinds of source', async () => {
  for (const source of [new Counted(5000, 1000), plain(5000, 1000)]) {
    const bs = new ByteSource(source);
    await bs.read(100);
    assert.equal(await bs.skip(10_000), 4900);
    assert.equal(bs.offset, 5000);
    assert.equal(await bs.take(1), undefined);
    assert.equal(await bs.skip(1), 0);
  }
});

test('a read across chunk boundaries after a skip copies exactly the bytes asked for', async () => {
  const bs = new ByteSource(new Counted(100_000, 7));
  assert.equal(await bs.skip(12_345), 12_345);
  const got = await bs.read(50);
  assert.equal(got.length, 50);
  for (let i = 0; i < 50; i++) assert.equal(got[i], (12_345 + i) & 0xff);
});
