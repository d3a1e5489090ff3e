/**
 * The local disk layout, on real images made with qemu-img and qemu-io: a linked clone's overlay over
 * its base (data in both, zeros written over base data), a raw sparse file, and a compressed qcow2
 * (no file offsets: converted first). Each time, the guest's disk rebuilt from the segments alone
 * equals what `qemu-img convert -O raw` makes of the image, and the holes are not read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  DiskUnreadableError,
  guestRanges,
  localDiskLayout,
  segmentBytes,
  type DiskLayout,
} from '../../src/bundle/disk-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-disk-layout-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1 << 20;
const sh = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const qemuIo = (img: string, ...cmds: string[]) => sh('qemu-io', ...cmds.flatMap((c) => ['-c', c]), img);

/** The guest's disk as qemu sees it. */
function flat(img: string): Buffer {
  const out = join(dir, `expected-${Math.random()}.raw`);
  sh('qemu-img', 'convert', '-U', '-O', 'raw', img, out);
  const b = readFileSync(out);
  rmSync(out);
  return b;
}

/** The guest's disk rebuilt from the layout: zeros, then each segment's bytes at its offset. */
async function rebuilt(layout: DiskLayout): Promise<Buffer> {
  const disk = Buffer.alloc(layout.realSize);
  const ranges = guestRanges(layout.segments);
  let r = 0;
  let at = ranges[0]?.offset ?? 0;
  for await (const chunk of segmentBytes(layout.segments, 300_000)) {
    for (let used = 0; used < chunk.length;) {
      const range = ranges[r]!;
      const n = Math.min(chunk.length - used, range.offset + range.length - at);
      chunk.copy(disk, at, used, used + n);
      used += n;
      at += n;
      if (at === range.offset + range.length) at = ranges[++r]?.offset ?? at;
    }
  }
  return disk;
}

const dataBytes = (l: DiskLayout) => l.segments.reduce((s, x) => s + x.length, 0);

test('a linked clone over its base: flattened, zeros written over base data left out', async () => {
  const base = join(dir, 'base.qcow2');
  const top = join(dir, 'top.qcow2');
  sh('qemu-img', 'create', '-q', '-f', 'qcow2', base, '64M');
  qemuIo(base, 'write -P 0x11 0 1M', 'write -P 0x22 10M 2M', 'write -P 0x44 63M 1M');
  sh('qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', top);
  qemuIo(top, 'write -P 0x33 512k 1M', 'write -z 11M 64k');
  const layout = await localDiskLayout(top, dir);
  assert.equal(layout.realSize, 64 * MiB);
  assert.deepEqual(
    new Set(layout.segments.map((s) => s.file)),
    new Set([base, top]),
    'read from both images',
  );
  assert.equal(
    dataBytes(layout),
    4 * MiB + 512 * 1024 - 64 * 1024,
    'base 4 MiB, top 0.5 MiB more, 64 KiB zeroed',
  );
  assert.deepEqual(guestRanges(layout.segments), [
    { offset: 0, length: 1.5 * MiB },
    { offset: 10 * MiB, length: MiB },
    { offset: 11 * MiB + 64 * 1024, length: MiB - 64 * 1024 },
    { offset: 63 * MiB, length: MiB },
  ]);
  assert.ok((await rebuilt(layout)).equals(flat(top)));
  await layout.cleanup();
});

test('a raw sparse file: its data ranges, read in place', async () => {
  const raw = join(dir, 'disk.raw');
  sh('truncate', '-s', '32M', raw);
  qemuIo(raw, 'write -P 0x55 4M 3M', 'write -P 0x66 31M 1M');
  const layout = await localDiskLayout(raw, dir);
  assert.equal(layout.realSize, 32 * MiB);
  assert.deepEqual(
    layout.segments.map((s) => s.file),
    [raw, raw],
  );
  assert.equal(dataBytes(layout), 4 * MiB);
  assert.ok((await rebuilt(layout)).equals(flat(raw)));
});

test('a compressed qcow2 has no file offsets: read from a converted copy, removed by cleanup', async () => {
  const src = join(dir, 'plain.qcow2');
  const packed = join(dir, 'packed.qcow2');
  sh('qemu-img', 'create', '-q', '-f', 'qcow2', src, '16M');
  qemuIo(src, 'write -P 0x77 2M 1M');
  sh('qemu-img', 'convert', '-c', '-O', 'qcow2', src, packed);
  const before = readdirSync(dir).length;
  const layout = await localDiskLayout(packed, dir);
  assert.ok(
    layout.segments.every((s) => s.file !== packed),
    'not read from the compressed image',
  );
  assert.equal(readdirSync(dir).length, before + 1, 'one converted copy');
  assert.ok((await rebuilt(layout)).equals(flat(packed)));
  await layout.cleanup();
  assert.equal(readdirSync(dir).length, before, 'the copy is gone');
});

test('an image that is not there, or not an image qemu-img reads', async () => {
  await assert.rejects(
    localDiskLayout(join(dir, 'missing.qcow2'), dir),
    (e: unknown) => e instanceof DiskUnreadableError && e.code === 'disk-unreadable',
  );
  const junk = join(dir, 'junk.qcow2');
  writeFileSync(junk, Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(600, 0xff)]));
  await assert.rejects(
    localDiskLayout(junk, dir),
    (e: unknown) => e instanceof DiskUnreadableError && /junk\.qcow2/.test(e.message),
  );
});
