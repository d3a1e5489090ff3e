import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_QCOW2_MAX_BYTES, emptyQcow2 } from './empty-qcow2.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** The header fields a reader checks, decoded. */
function header(b: Buffer) {
  return {
    magic: b.toString('latin1', 0, 4),
    version: b.readUInt32BE(4),
    backingFileOffset: b.readBigUInt64BE(8),
    clusterBits: b.readUInt32BE(20),
    size: Number(b.readBigUInt64BE(24)),
    cryptMethod: b.readUInt32BE(32),
    l1Size: b.readUInt32BE(36),
    l1TableOffset: Number(b.readBigUInt64BE(40)),
    refcountTableOffset: Number(b.readBigUInt64BE(48)),
    refcountTableClusters: b.readUInt32BE(56),
    snapshots: b.readUInt32BE(60),
    features: [b.readBigUInt64BE(72), b.readBigUInt64BE(80), b.readBigUInt64BE(88)],
    refcountOrder: b.readUInt32BE(96),
    headerLength: b.readUInt32BE(100),
    compressionType: b[104],
  };
}

test('a 20 GiB image: the version 3 header, 64 KiB clusters, and the L1 table of 40 entries ends the file', () => {
  const b = emptyQcow2(20 * GiB);
  assert.deepEqual(header(b), {
    magic: 'QFI\xfb',
    version: 3,
    backingFileOffset: 0n,
    clusterBits: 16,
    size: 20 * GiB,
    cryptMethod: 0,
    l1Size: 40,
    l1TableOffset: 0x30000,
    refcountTableOffset: 0x10000,
    refcountTableClusters: 1,
    snapshots: 0,
    features: [0n, 0n, 0n],
    refcountOrder: 4,
    headerLength: 112,
    compressionType: 0,
  });
  assert.equal(b.length, 0x30000 + 40 * 8);
  // The refcount table points at the one block; the block counts clusters 0-3 once each, nothing else.
  assert.equal(b.readBigUInt64BE(0x10000), 0x20000n);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((c) => b.readUInt16BE(0x20000 + 2 * c)),
    [1, 1, 1, 1, 0],
  );
  assert.ok(
    b.subarray(0x30000).every((x) => x === 0),
    'no L2 table yet',
  );
});

test('the L1 table has one entry per 512 MiB, rounded up; a disk is rounded up to whole sectors', () => {
  assert.equal(header(emptyQcow2(16 * MiB)).l1Size, 1);
  assert.equal(header(emptyQcow2(512 * MiB)).l1Size, 1);
  assert.equal(header(emptyQcow2(512 * MiB + 512)).l1Size, 2);
  assert.equal(header(emptyQcow2(1000)).size, 1024);
  const none = emptyQcow2(0);
  assert.deepEqual([header(none).l1Size, header(none).l1TableOffset, none.length], [0, 0, 0x30000]);
  assert.equal(none.readUInt16BE(0x20000 + 2 * 3), 0, 'no L1 cluster to count');
});

test('a 64 TiB image: its 1 MiB L1 table takes 16 clusters, each counted', () => {
  const b = emptyQcow2(EMPTY_QCOW2_MAX_BYTES);
  assert.equal(header(b).l1Size, 131072);
  assert.equal(b.length, 0x30000 + 2 ** 20);
  const counts = Array.from({ length: 21 }, (_, c) => b.readUInt16BE(0x20000 + 2 * c));
  assert.deepEqual(counts, [...Array<number>(19).fill(1), 0, 0]);
});

test('sizes this layout does not cover are refused', () => {
  for (const bad of [-1, 1.5, EMPTY_QCOW2_MAX_BYTES + 1, Number.MAX_SAFE_INTEGER + 2])
    assert.throws(() => emptyQcow2(bad), RangeError, String(bad));
});
