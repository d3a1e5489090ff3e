import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TarEntrySizeError } from './errors.js';
import { readTar, type TarLimits } from './tar-reader.js';
import { TarWriter, tarEntryLength } from './tar-writer.js';
import type { Segment } from './sparse-map.js';

const LIMITS: TarLimits = { maxEntries: 100, maxEntrySize: 2 ** 40, maxTotal: 2 ** 40 };
const MTIME = new Date('2024-05-01T12:00:00Z');

/** A writer into memory; `bytes()` is the archive so far. */
function memoryTar(): { tar: TarWriter; bytes: () => Buffer; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const tar = new TarWriter(async (c) => void chunks.push(Buffer.from(c)), { mtime: MTIME });
  return { tar, bytes: () => Buffer.concat(chunks), chunks };
}

async function* inChunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

interface ReadBack {
  name: string;
  size: number;
  realSize: number;
  sparse: Segment[] | undefined;
  data: Buffer;
}

async function readBack(archive: Buffer, chunkSize = 65536): Promise<ReadBack[]> {
  const out: ReadBack[] = [];
  for await (const e of readTar(inChunks(archive, chunkSize), LIMITS)) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(Buffer.from(c));
    out.push({
      name: e.name,
      size: e.size,
      realSize: e.realSize,
      sparse: e.sparse,
      data: Buffer.concat(parts),
    });
  }
  return out;
}

/** The sparse file `segments` describe, holes as zeros. */
function expand(realSize: number, segments: Segment[], data: Buffer): Buffer {
  const file = Buffer.alloc(realSize);
  let at = 0;
  for (const s of segments) {
    data.copy(file, s.offset, at, at + s.length);
    at += s.length;
  }
  return file;
}

describe('TarWriter round trips through readTar', () => {
  it('plain entries, a long name through pax, a zero-length entry', async () => {
    const { tar, bytes } = memoryTar();
    const long = `deep/${'d'.repeat(120)}/${'f'.repeat(130)}.json`;
    const body = randomBytes(70_000);
    await tar.addFile('manifest.json', Buffer.from('{}\n'));
    await tar.addFile(long, body);
    await tar.addFile('empty', Buffer.alloc(0));
    const streamed = await tar.openEntry('streamed.bin', 1025);
    await streamed.write(body.subarray(0, 1000));
    await streamed.write(body.subarray(1000, 1025));
    await streamed.close();
    await tar.finish();
    const archive = bytes();
    assert.equal(archive.length % 512, 0);
    assert.ok(archive.includes(Buffer.from(` path=${long}\n`)), 'the long name is in a pax path record');
    for (const size of [1, 511, 513, 65536]) {
      const entries = await readBack(archive, size);
      assert.deepEqual(
        entries.map((e) => [e.name, e.size, e.realSize, e.sparse]),
        [
          ['manifest.json', 3, 3, undefined],
          [long, 70_000, 70_000, undefined],
          ['empty', 0, 0, undefined],
          ['streamed.bin', 1025, 1025, undefined],
        ],
      );
      assert.equal(entries[0]!.data.toString(), '{}\n');
      assert.ok(entries[1]!.data.equals(body));
      assert.equal(entries[2]!.data.length, 0);
      assert.ok(entries[3]!.data.equals(body.subarray(0, 1025)));
    }
  });

  it('a sparse entry with holes at the start, in the middle and at the end', async () => {
    const { tar, bytes } = memoryTar();
    const segments = [
      { offset: 8192, length: 4096 },
      { offset: 65536, length: 1024 },
      { offset: 200_000, length: 700 },
    ];
    const data = randomBytes(4096 + 1024 + 700);
    const realSize = 1 << 20;
    const entry = await tar.openSparseEntry('disks/vda.raw', realSize, segments);
    await entry.write(data.subarray(0, 5000)); // chunks need not follow segment edges
    await entry.write(data.subarray(5000));
    await entry.close();
    await tar.finish();
    const [read] = await readBack(bytes(), 513);
    assert.equal(read!.name, 'disks/vda.raw');
    assert.equal(read!.realSize, realSize);
    assert.equal(read!.size, 512 + data.length);
    assert.deepEqual(read!.sparse, segments);
    assert.ok(read!.data.equals(data));
    const file = expand(realSize, read!.sparse!, read!.data);
    assert.ok(file.subarray(0, 8192).equals(Buffer.alloc(8192)), 'the hole at the start stays zeros');
    assert.ok(file.subarray(65536, 66560).equals(data.subarray(4096, 5120)));
  });

  it('a sparse entry with no data at all, and one that ends exactly at its last segment', async () => {
    const { tar, bytes } = memoryTar();
    await (await tar.openSparseEntry('holes.raw', 10 * 2 ** 30, [])).close();
    const full = await tar.openSparseEntry('full.raw', 1536, [{ offset: 512, length: 1024 }]);
    await full.write(Buffer.alloc(1024, 7));
    await full.close();
    await tar.finish();
    const entries = await readBack(bytes());
    assert.deepEqual(
      entries.map((e) => [e.name, e.size, e.realSize, e.sparse, e.data.length]),
      [
        ['holes.raw', 512, 10 * 2 ** 30, [], 0],
        ['full.raw', 512 + 1024, 1536, [{ offset: 512, length: 1024 }], 1024],
      ],
    );
  });

  it('writes the same bytes for the same input, with mode 0644, owner 0 and no user names', async () => {
    const write = async () => {
      const { tar, bytes } = memoryTar();
      await tar.addFile('a.txt', Buffer.from('same'));
      const sparse = await tar.openSparseEntry('s.raw', 4096, [{ offset: 1024, length: 512 }]);
      await sparse.write(Buffer.alloc(512, 1));
      await sparse.close();
      await tar.finish();
      return bytes();
    };
    const [one, two] = [await write(), await write()];
    assert.ok(one.equals(two));
    const header = one.subarray(0, 512);
    assert.equal(header.toString('latin1', 100, 107), '0000644');
    assert.equal(header.toString('latin1', 108, 115), '0000000');
    assert.equal(header.toString('latin1', 116, 123), '0000000');
    assert.equal(header.toString('latin1', 136, 147), (MTIME.getTime() / 1000).toString(8).padStart(11, '0'));
    assert.ok(header.subarray(265, 329).equals(Buffer.alloc(64)), 'uname and gname are empty');
  });

  it('tarEntryLength is the exact length of an entry, short or long name, small or past 8 GiB', async () => {
    const names = ['m.json', `${'n'.repeat(99)}/${'x'.repeat(100)}`, `${'p'.repeat(300)}`];
    for (const name of names) {
      for (const size of [0, 1, 512, 1000]) {
        const { tar, bytes } = memoryTar();
        await tar.addFile(name, Buffer.alloc(size, 0x20));
        assert.equal(bytes().length, tarEntryLength(name, size), `${name.slice(0, 10)} ${size}`);
        assert.equal(tar.offset, bytes().length);
      }
    }
    const { tar, chunks } = memoryTar();
    await tar.openEntry('big.raw', 9 * 2 ** 30);
    assert.equal(chunks[0]!.length + 9 * 2 ** 30, tarEntryLength('big.raw', 9 * 2 ** 30));
    assert.ok(chunks[0]!.includes(Buffer.from(' size=9663676416\n')), 'a pax size record carries it');
  });

  it('an entry rewritten in place (the manifest) reads back with its new content', async () => {
    const { tar, bytes } = memoryTar();
    const width = 64;
    await tar.addFile('manifest.json', Buffer.alloc(width, 0x20));
    await tar.addFile('disk.raw', Buffer.alloc(3000, 9));
    await tar.finish();
    const archive = bytes();
    const manifest = Buffer.from('{"disks":["disk.raw"]}'.padEnd(width, ' '));
    const dataAt = tarEntryLength('manifest.json', width) - 512; // one block: the manifest's data
    manifest.copy(archive, dataAt);
    const [first] = await readBack(archive);
    assert.equal(first!.data.toString().trimEnd(), '{"disks":["disk.raw"]}');
  });

  it('a size past 8 GiB - 1 goes through pax and reads back with its body', async () => {
    const size = 8 * 2 ** 30 + 5;
    let total = 0;
    const head: Buffer[] = [];
    const tar = new TarWriter(
      async (c) => {
        if (head.length < 2) head.push(Buffer.from(c));
        total += c.length;
      },
      { mtime: MTIME },
    );
    const entry = await tar.openEntry('big.raw', size);
    const zeros = Buffer.alloc(8 << 20);
    for (let left = size; left > 0; left -= zeros.length)
      await entry.write(zeros.subarray(0, Math.min(left, zeros.length)));
    await entry.close();
    await tar.finish();
    assert.equal(total, tarEntryLength('big.raw', size) + 1024);
    async function* archive(): AsyncGenerator<Buffer> {
      yield head[0]!;
      for (let left = size; left > 0; left -= zeros.length)
        yield zeros.subarray(0, Math.min(left, zeros.length));
      yield Buffer.alloc(512 - (size % 512) + 1024);
    }
    let read = 0;
    for await (const e of readTar(archive(), { ...LIMITS, maxEntrySize: 2 ** 34, maxTotal: 2 ** 34 })) {
      assert.equal(e.name, 'big.raw');
      assert.equal(e.size, size);
      for await (const c of e.body) read += c.length;
    }
    assert.equal(read, size);
  });
});

describe('TarWriter refuses', () => {
  it('more or fewer bytes than the entry declared', async () => {
    const { tar } = memoryTar();
    const entry = await tar.openEntry('a', 10);
    await assert.rejects(
      entry.write(Buffer.alloc(11)),
      (e: TarEntrySizeError) => e.code === 'bundle-entry-size',
    );
    await entry.write(Buffer.alloc(4));
    await assert.rejects(entry.close(), (e: TarEntrySizeError) => /only 4/.test(e.message));
    await assert.rejects(tar.addFile('b', Buffer.alloc(1)), /still open/);
    const sparse = memoryTar();
    const s = await sparse.tar.openSparseEntry('s', 4096, [{ offset: 0, length: 512 }]);
    await assert.rejects(s.write(Buffer.alloc(513)), TarEntrySizeError);
  });

  it('names and sparse maps its reader would refuse, and entries after finish()', async () => {
    const { tar } = memoryTar();
    await assert.rejects(tar.addFile('../x', Buffer.alloc(0)), /"\.\." segment/);
    await assert.rejects(tar.addFile('/etc/x', Buffer.alloc(0)), /absolute/);
    await assert.rejects(
      tar.openSparseEntry('s', 4096, [
        { offset: 1024, length: 512 },
        { offset: 0, length: 512 },
      ]),
      /overlapping/,
    );
    await assert.rejects(
      tar.openSparseEntry('s', 1000, [{ offset: 512, length: 512 }]),
      /past the real size/,
    );
    await assert.rejects(
      tar.openSparseEntry('s', 4096, [
        { offset: 0, length: 100 },
        { offset: 1024, length: 512 },
      ]),
      /multiple of 512/,
    );
    await tar.finish();
    await assert.rejects(tar.addFile('late', Buffer.alloc(0)), /already finished/);
  });
});
