/**
 * The bundle tar format against the real GNU tar (Debian's /usr/bin/tar), both ways: what the writer
 * makes GNU tar lists and extracts (a sparse file as a sparse file), and what GNU tar makes in pax
 * format, with and without --sparse, the reader reads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
  closeSync,
  ftruncateSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTar, type TarEntry } from './tar-reader.js';
import { TarWriter } from './tar-writer.js';
import type { Segment } from './sparse-map.js';

const TAR = '/usr/bin/tar';
const LIMITS = { maxEntries: 100, maxEntrySize: 2 ** 40, maxTotal: 2 ** 40 };
const MIB = 1 << 20;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'phyllo-tar-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function tar(args: string[], cwd = dir): string {
  return execFileSync(TAR, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
}

/** A sparse file on disk: data at `segments` (random bytes), holes elsewhere. */
function makeSparseFile(path: string, realSize: number, segments: Segment[]): Buffer[] {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, realSize);
  const parts = segments.map((s) => {
    const data = randomBytes(s.length);
    writeSync(fd, data, 0, data.length, s.offset);
    return data;
  });
  closeSync(fd);
  return parts;
}

async function writeArchive(path: string, fill: (tar: TarWriter) => Promise<void>): Promise<void> {
  const file = await open(path, 'w');
  const tarWriter = new TarWriter(async (chunk) => void (await file.write(chunk)), {
    mtime: new Date('2024-05-01T12:00:00Z'),
  });
  await fill(tarWriter);
  await tarWriter.finish();
  await file.close();
}

async function* inChunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** Every entry with its data, the archive fed in chunks of `chunkSize` bytes (or as a file stream gives it). */
async function readArchive(path: string, chunkSize?: number): Promise<{ entry: TarEntry; data: Buffer }[]> {
  const out: { entry: TarEntry; data: Buffer }[] = [];
  const source = chunkSize ? inChunks(readFileSync(path), chunkSize) : createReadStream(path);
  for await (const entry of readTar(source, LIMITS)) {
    const parts: Buffer[] = [];
    for await (const c of entry.body) parts.push(Buffer.from(c));
    out.push({ entry, data: Buffer.concat(parts) });
  }
  return out;
}

function fileFromSegments(realSize: number, segments: Segment[], data: Buffer): Buffer {
  const file = Buffer.alloc(realSize);
  let at = 0;
  for (const s of segments) at += data.copy(file, s.offset, at, at + s.length);
  return file;
}

describe('GNU tar reads what TarWriter writes', () => {
  const long = `vm/${'long-'.repeat(30)}name.json`;
  const segments = [
    { offset: MIB, length: 64 * 1024 },
    { offset: 3 * MIB, length: 4096 },
    { offset: 5 * MIB + 512, length: 1000 },
  ];
  const realSize = 8 * MIB;

  it('tar -tvf lists the names and real sizes; tar -xf restores the sparse file, sparse on disk', async () => {
    const source = join(dir, 'source.raw');
    const parts = makeSparseFile(source, realSize, segments);
    const archive = join(dir, 'ours.tar');
    await writeArchive(archive, async (t) => {
      await t.addFile('manifest.json', Buffer.from('{"v":1}\n'));
      await t.addFile(long, Buffer.from('long'));
      await t.addFile('empty', Buffer.alloc(0));
      const entry = await t.openSparseEntry('disks/vda.raw', realSize, segments);
      for (const p of parts) await entry.write(p);
      await entry.close();
      await (await t.openSparseEntry('disks/blank.raw', 2 * MIB, [])).close();
    });

    const listing = tar(['-tvf', archive]).trim().split('\n');
    assert.deepEqual(
      listing.map((l) => l.split(/\s+/).filter((_, i) => i === 2 || i >= 5)),
      [
        ['8', 'manifest.json'],
        ['4', long],
        ['0', 'empty'],
        [String(realSize), 'disks/vda.raw'],
        [String(2 * MIB), 'disks/blank.raw'],
      ],
    );
    assert.ok(
      listing.every((l) => l.startsWith('-rw-r--r-- 0/0 ')),
      listing.join('\n'),
    );

    const out = join(dir, 'out');
    mkdirSync(out);
    tar(['-xf', archive, '-C', out]);
    const restored = join(out, 'disks/vda.raw');
    assert.ok(readFileSync(restored).equals(readFileSync(source)), 'byte-identical to the source');
    const st = statSync(restored);
    assert.equal(st.size, realSize);
    assert.ok(st.blocks * 512 < realSize / 8, `sparse on disk: ${st.blocks} blocks for ${realSize} bytes`);
    const blank = statSync(join(out, 'disks/blank.raw'));
    assert.equal(blank.size, 2 * MIB);
    assert.ok(blank.blocks * 512 < 64 * 1024, `all hole: ${blank.blocks} blocks`);
    assert.equal(readFileSync(join(out, long), 'utf8'), 'long');
    assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), '{"v":1}\n');
  });
});

describe('readTar reads what GNU tar writes', () => {
  it('regular files in pax format, fed in chunks of 1, 511, 513 and 64 KiB bytes and from a file stream', async () => {
    const src = join(dir, 'plain');
    const deep = `d/${'e'.repeat(110)}/${'f'.repeat(120)}`;
    mkdirSync(join(src, deep, '..'), { recursive: true });
    const a = randomBytes(100_000);
    const b = Buffer.from('hello\n');
    execFileSync('sh', ['-c', `cat > a.bin`], { cwd: src, input: a });
    execFileSync('sh', ['-c', `cat > ${deep}`], { cwd: src, input: b });
    const archive = join(dir, 'gnu-plain.tar');
    // Files only: the reader refuses the directory entries tar would add for d/.
    tar(['--format=pax', '-cf', archive, 'a.bin', deep], src);
    for (const size of [1, 511, 513, 65536, undefined]) {
      const entries = await readArchive(archive, size);
      assert.deepEqual(
        entries.map((e) => [e.entry.name, e.entry.size, e.entry.sparse]),
        [
          ['a.bin', a.length, undefined],
          [deep, b.length, undefined],
        ],
        `chunks of ${size ?? 'a file stream'}`,
      );
      assert.ok(entries[0]!.data.equals(a));
      assert.ok(entries[1]!.data.equals(b));
    }
  });

  it('a sparse file archived with --sparse --sparse-version=1.0, holes at the start, middle and end', async () => {
    const src = join(dir, 'sparse-src');
    mkdirSync(src);
    const size = 6 * MIB;
    const want = [
      { offset: MIB, length: 8192 },
      { offset: 4 * MIB, length: 4096 },
    ];
    makeSparseFile(join(src, 'disk.raw'), size, want);
    const archive = join(dir, 'gnu-sparse.tar');
    tar(['--sparse', '--sparse-version=1.0', '--format=pax', '-cf', archive, 'disk.raw'], src);
    const original = readFileSync(join(src, 'disk.raw'));
    for (const chunk of [511, undefined]) {
      const [read, ...rest] = await readArchive(archive, chunk);
      assert.equal(rest.length, 0);
      assert.equal(read!.entry.name, 'disk.raw');
      assert.equal(read!.entry.realSize, size);
      assert.ok(read!.entry.sparse!.length >= 1, 'read as sparse');
      assert.ok(read!.entry.size < MIB, `stored ${read!.entry.size} bytes, not the full file`);
      assert.ok(fileFromSegments(size, read!.entry.sparse!, read!.data).equals(original));
    }
  });
});
