import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDirect } from './direct-io.js';
import { copyRanges } from './file-copy.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-file-copy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether files in `d` can be opened with O_DIRECT. */
function directIn(d: string): boolean {
  const probe = join(d, `.direct-probe-${process.pid}`);
  writeFileSync(probe, '');
  const fd = openDirect(probe, constants.O_RDONLY);
  if (fd !== undefined) closeSync(fd);
  rmSync(probe);
  return fd !== undefined;
}

class ReadFailed extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    why: string,
  ) {
    super(`${file} at ${offset}: ${why}`);
  }
}
const readError = (file: string, offset: number, why: string) => new ReadFailed(file, offset, why);

test('ranges land at their offsets; the checksum is SHA-256 of the prefix and the bytes in order', async () => {
  const src = join(dir, 'src-a');
  const data = randomBytes(1 << 20);
  writeFileSync(src, data);
  const out = join(dir, 'out-a');
  const fh = await open(out, 'w+');
  const ranges = [
    { file: src, offset: 4096, length: 300_000, to: 0 },
    { file: src, offset: 0, length: 4096, to: 300_000 },
  ];
  let seen = 0;
  const sha = await copyRanges({
    out: fh.fd,
    ranges,
    prefix: Buffer.from('map'),
    readError,
    chunk: 65536,
    onData: (n) => (seen = n),
  });
  await fh.close();
  const expected = Buffer.concat([data.subarray(4096, 304_096), data.subarray(0, 4096)]);
  assert.deepEqual(readFileSync(out), expected);
  assert.equal(sha, createHash('sha256').update('map').update(expected).digest('hex'));
  assert.equal(seen, expected.length);
});

test('skipZeros leaves all-zero 4 KiB blocks as holes and still hashes them', async () => {
  const src = join(dir, 'src-b');
  const data = Buffer.alloc(8 << 20);
  randomBytes(4096).copy(data, 0);
  randomBytes(100).copy(data, (6 << 20) + 5);
  writeFileSync(src, data);
  const out = join(dir, 'out-b');
  const fh = await open(out, 'w+');
  await fh.truncate(16 << 20);
  const sha = await copyRanges({
    out: fh.fd,
    ranges: [{ file: src, offset: 0, length: data.length, to: 1 << 20 }],
    skipZeros: true,
    readError,
  });
  await fh.close();
  const got = readFileSync(out);
  assert.equal(got.length, 16 << 20);
  assert.deepEqual(got.subarray(1 << 20, (1 << 20) + data.length), data);
  assert.equal(sha, createHash('sha256').update(data).digest('hex'));
  // Two 4 KiB blocks hold data; everything else stayed a hole.
  assert.ok(statSync(out).blocks * 512 <= 64 * 1024, `allocated ${statSync(out).blocks * 512}`);
});

test('skipZeros keeps data in a last block shorter than 4 KiB (a disk whose size is no multiple of it)', async () => {
  // A range that ends 1000 bytes into a block, after two zero blocks: that last run of data once
  // fell off the end of the chunk and the imported disk read zeros there.
  const src = join(dir, 'src-tail');
  const data = Buffer.alloc(3 * 4096 + 1000);
  randomBytes(4096).copy(data, 0);
  randomBytes(1000).copy(data, 3 * 4096);
  writeFileSync(src, data);
  const out = join(dir, 'out-tail');
  const fh = await open(out, 'wx');
  await fh.truncate(data.length);
  await copyRanges({
    out: fh.fd,
    ranges: [{ file: src, offset: 0, length: data.length, to: 0 }],
    skipZeros: true,
    readError,
  });
  await fh.close();
  assert.deepEqual(readFileSync(out), data);
});

// Direct I/O wants 512-byte offsets and lengths: what is not aligned goes buffered, and the bytes
// must come out the same either way.
test('ranges at offsets and of lengths that are no multiple of 512 bytes land right', async () => {
  const src = join(dir, 'src-odd');
  const data = randomBytes(3 << 20);
  data.fill(0, 1 << 20, (1 << 20) + 3 * 4096);
  writeFileSync(src, data);
  const ranges = [
    { file: src, offset: 1000, length: 70_001, to: 7 },
    { file: src, offset: 1536, length: (2 << 20) + 333, to: 81_920 },
    { file: src, offset: 512, length: 512, to: (3 << 20) + 512 },
  ];
  const expected = Buffer.alloc((3 << 20) + 1024);
  for (const r of ranges) data.copy(expected, r.to, r.offset, r.offset + r.length);
  const hash = createHash('sha256');
  for (const r of ranges) hash.update(data.subarray(r.offset, r.offset + r.length));
  const expectedSha = hash.digest('hex');
  for (const skipZeros of [false, true]) {
    const out = join(dir, `out-odd-${skipZeros}`);
    const fh = await open(out, 'wx');
    await fh.truncate(expected.length);
    const sha = await copyRanges({ out: fh.fd, ranges, skipZeros, readError, chunk: 65536 });
    await fh.close();
    assert.ok(readFileSync(out).equals(expected), `skipZeros ${skipZeros}`);
    assert.equal(sha, expectedSha);
  }
});

test('where direct I/O is used, what was written is on the device, not left in the page cache', async (t) => {
  if (!directIn(dir)) return t.skip(`no O_DIRECT under ${dir}`);
  const src = join(dir, 'src-direct');
  const data = randomBytes(8 << 20);
  writeFileSync(src, data);
  const out = join(dir, 'out-direct');
  const fh = await open(out, 'wx');
  await copyRanges({ out: fh.fd, ranges: [{ file: src, offset: 0, length: data.length, to: 0 }], readError });
  // fincore (util-linux) counts the file's pages in the page cache: a buffered copy leaves all 8 MiB.
  const cached = Number(
    execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', out], { encoding: 'utf8' }),
  );
  await fh.close();
  assert.equal(cached, 0);
  assert.ok(readFileSync(out).equals(data));
});

// Where direct I/O refuses (EINVAL: memory, offsets or lengths it cannot take, a file system without
// it), the reader and the writer go buffered. A ring in malloc'ed memory (16 bytes past a page) makes
// every direct read and write refuse.
test('where direct I/O refuses the ring’s memory, the copy goes buffered, with the same bytes', async () => {
  const src = join(dir, 'src-refused');
  const data = randomBytes((3 << 20) + 1000);
  writeFileSync(src, data);
  const out = join(dir, 'out-refused');
  const fh = await open(out, 'wx');
  const sha = await copyRanges({
    out: fh.fd,
    ranges: [{ file: src, offset: 512, length: 3 << 20, to: 4096 }],
    readError,
    pageAligned: false,
  });
  await fh.close();
  assert.ok(
    readFileSync(out)
      .subarray(4096)
      .equals(data.subarray(512, 512 + (3 << 20))),
  );
  assert.equal(
    sha,
    createHash('sha256')
      .update(data.subarray(512, 512 + (3 << 20)))
      .digest('hex'),
  );
});

test('a source that ends early is the caller’s typed error, naming the file and offset', async () => {
  const src = join(dir, 'src-c');
  writeFileSync(src, randomBytes(10_000));
  const fh = await open(join(dir, 'out-c'), 'w+');
  await assert.rejects(
    copyRanges({ out: fh.fd, ranges: [{ file: src, offset: 0, length: 20_000, to: 0 }], readError }),
    (err: unknown) => err instanceof ReadFailed && err.file === src && err.offset === 10_000,
  );
  await fh.close();
});

test('a source that cannot be opened or read is the caller’s typed error too', async () => {
  const fh = await open(join(dir, 'out-d'), 'w+');
  await assert.rejects(
    copyRanges({ out: fh.fd, ranges: [{ file: dir, offset: 0, length: 10, to: 0 }], readError }),
    (err: unknown) => err instanceof ReadFailed && /EISDIR/.test(err.message),
  );
  await fh.close();
});

test('a write error comes back with its errno code', async () => {
  const src = join(dir, 'src-e');
  writeFileSync(src, randomBytes(1000));
  writeFileSync(join(dir, 'out-e'), '');
  const fh = await open(join(dir, 'out-e'), 'r');
  await assert.rejects(
    copyRanges({ out: fh.fd, ranges: [{ file: src, offset: 0, length: 1000, to: 0 }], readError }),
    (err: unknown) => (err as NodeJS.ErrnoException).code === 'EBADF',
  );
  await fh.close();
});

test('a cancel stops the copy before its end and rejects with the signal’s reason', async () => {
  const src = join(dir, 'src-f');
  writeFileSync(src, randomBytes(4 << 20));
  const fh = await open(join(dir, 'out-f'), 'w+');
  const stop = new AbortController();
  const ranges = Array.from({ length: 64 }, (_, i) => ({
    file: src,
    offset: 0,
    length: 4 << 20,
    to: i * (4 << 20),
  }));
  let last = 0;
  await assert.rejects(
    copyRanges({
      out: fh.fd,
      ranges,
      readError,
      onData: (n) => {
        last = n;
        stop.abort(new Error('cancelled here'));
      },
      signal: stop.signal,
    }),
    /cancelled here/,
  );
  const size = (await fh.stat()).size;
  await fh.close();
  assert.ok(last > 0);
  assert.ok(size < 256 << 20, `wrote ${size}`);
});

// A hasher that dies frees no more ring slots: the copy must reject, not wait for it forever.
const hashers = {
  throws: "throw new Error('hasher broke')",
  'exits silently': 'process.exit(0)',
  'crashes later': "setTimeout(() => { throw new Error('hasher broke late') }, 20)",
};
for (const [how, code] of Object.entries(hashers)) {
  test(`a hash worker that ${how} makes the copy reject with its failure; nothing writes after`, async () => {
    const src = join(dir, `src-h-${how}`);
    writeFileSync(src, randomBytes(4 << 20));
    const fh = await open(join(dir, `out-h-${how}`), 'w+');
    const ranges = Array.from({ length: 8 }, (_, i) => ({
      file: src,
      offset: 0,
      length: 4 << 20,
      to: i * (4 << 20),
    }));
    await assert.rejects(
      copyRanges({
        out: fh.fd,
        ranges,
        readError,
        chunk: 65536,
        hashWorker: new URL(`data:text/javascript,${encodeURIComponent(code)}`),
      }),
      /hasher broke|stopped without a word/,
    );
    const size = (await fh.stat()).size;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fh.stat()).size, size);
    assert.ok(size < 32 << 20, `wrote ${size}`);
    await fh.close();
  });
}

// `phyllo serve` runs Node with --lite-mode, which turns WebAssembly (the ring's aligned memory) off.
test('in a Node without WebAssembly the copy still runs, buffered', () => {
  const src = join(dir, 'src-nowasm');
  const data = randomBytes((1 << 20) + 4096);
  writeFileSync(src, data);
  const out = join(dir, 'out-nowasm');
  const script = `
    import { open } from 'node:fs/promises';
    import { copyRanges } from ${JSON.stringify(new URL('./file-copy.js', import.meta.url).href)};
    const fh = await open(${JSON.stringify(out)}, 'wx');
    const sha = await copyRanges({
      out: fh.fd,
      ranges: [{ file: ${JSON.stringify(src)}, offset: 4096, length: 1 << 20, to: 0 }],
      readError: (f, o, why) => new Error(why),
    });
    await fh.close();
    console.log(typeof WebAssembly, sha);`;
  const file = join(dir, 'no-wasm.mjs');
  writeFileSync(file, script);
  const said = execFileSync(process.execPath, ['--no-expose-wasm', file], { encoding: 'utf8' });
  assert.equal(said.trim(), `undefined ${createHash('sha256').update(data.subarray(4096)).digest('hex')}`);
  assert.ok(readFileSync(out).equals(data.subarray(4096)));
});
