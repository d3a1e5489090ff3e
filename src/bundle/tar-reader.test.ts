/**
 * The reader's refusals, each from an archive built by hand here (not by TarWriter), so a mistake
 * shared by the writer and the reader would still show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BundleFormatError, type BundleFormatReason } from './errors.js';
import { readTar, type TarLimits } from './tar-reader.js';

const LIMITS: TarLimits = { maxEntries: 10, maxEntrySize: 1 << 20, maxTotal: 4 << 20 };

interface HeaderSpec {
  name?: string;
  prefix?: string;
  size?: number;
  /** Raw size field text (12 bytes at most), instead of `size` in octal. */
  sizeField?: string | Buffer;
  type?: string;
  magic?: string;
  /** Added to the right checksum: non-zero makes it wrong. */
  checksumOff?: number;
}

/** One ustar header block, written field by field from the POSIX layout. */
function header(spec: HeaderSpec): Buffer {
  const b = Buffer.alloc(512);
  const put = (text: string | Buffer, at: number) =>
    typeof text === 'string' ? b.write(text, at, 'latin1') : text.copy(b, at);
  put(spec.name ?? 'file', 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(spec.sizeField ?? `${(spec.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  put('14620000000\0', 136);
  put(spec.type ?? '0', 156);
  put(spec.magic ?? 'ustar\x0000', 257);
  if (spec.prefix) put(spec.prefix, 345);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  put(`${(sum + (spec.checksumOff ?? 0)).toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A whole entry: header, data, padding. */
function file(name: string, data: Buffer | string, spec: HeaderSpec = {}): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([header({ name, size: bytes.length, ...spec }), pad(bytes)]);
}

function record(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  for (let n = bytes + 1; ; n++) if (String(n).length + bytes === n) return `${n}${body}`;
}

/** A pax header entry holding `records` (raw text, for the malformed ones). */
function pax(records: string): Buffer {
  const data = Buffer.from(records);
  return Buffer.concat([header({ name: 'PaxHeaders/x', size: data.length, type: 'x' }), pad(data)]);
}

function paxOf(pairs: [string, string][]): Buffer {
  return pax(pairs.map(([k, v]) => record(k, v)).join(''));
}

/** A GNU sparse 1.0 entry: pax header, then `map` text padded, then `data`. */
function sparse(
  name: string,
  realSize: number,
  map: string,
  data: Buffer,
  extra: [string, string][] = [],
): Buffer {
  const stored = Buffer.concat([pad(Buffer.from(map)), data]);
  return Buffer.concat([
    paxOf([
      ['GNU.sparse.major', '1'],
      ['GNU.sparse.minor', '0'],
      ['GNU.sparse.name', name],
      ['GNU.sparse.realsize', String(realSize)],
      ...extra,
    ]),
    file(`GNUSparseFile.0/${name}`, stored),
  ]);
}

const END = Buffer.alloc(1024);

function archive(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END]);
}

async function* inChunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** Reads everything (bodies included) and returns the names and data read. */
async function readAll(data: Buffer, limits = LIMITS, chunk = 4096): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of readTar(inChunks(data, chunk), limits)) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(Buffer.from(c));
    out.push([e.name, Buffer.concat(parts).toString('latin1')]);
  }
  return out;
}

/** Reading `data` fails with bundle-invalid, this reason, and a message saying `words`. */
async function refuses(
  data: Buffer,
  reason: BundleFormatReason,
  words: RegExp,
  limits = LIMITS,
): Promise<void> {
  for (const chunk of data.length < 65536 ? [1, 511, 4096] : [511, 4096]) {
    await assert.rejects(readAll(data, limits, chunk), (err: unknown) => {
      assert.ok(err instanceof BundleFormatError, `not a BundleFormatError: ${String(err)}`);
      assert.equal(err.code, 'bundle-invalid');
      assert.equal(err.reason, reason, err.message);
      assert.match(err.message, words);
      assert.match(err.hint ?? '', /Export the VM again/);
      return true;
    });
  }
}

describe('readTar accepts', () => {
  it('the hand-built archive the refusals below start from, in any chunk size', async () => {
    const good = archive(
      file('manifest.json', '{}'),
      file('name', 'x', { prefix: 'a/b' }),
      paxOf([['path', `long/${'n'.repeat(200)}`]]),
      file('placeholder', 'long'),
      sparse(
        'disk.raw',
        4096,
        '3\n0\n512\n2048\n3\n4096\n0\n',
        Buffer.concat([Buffer.alloc(512, 65), Buffer.from('xyz')]),
      ),
    );
    for (const chunk of [1, 511, 513, 65536]) {
      assert.deepEqual(await readAll(good, LIMITS, chunk), [
        ['manifest.json', '{}'],
        ['a/b/name', 'x'],
        [`long/${'n'.repeat(200)}`, 'long'],
        ['disk.raw', `${'A'.repeat(512)}xyz`],
      ]);
    }
  });

  it('bodies left unread (skipped by the next entry) and zeros after the end blocks up to a 10 KiB record', async () => {
    const data = Buffer.concat([
      archive(file('a', 'aaa'), file('b', Buffer.alloc(3000, 1))),
      Buffer.alloc(8192),
    ]);
    const seen: [string, number][] = [];
    for await (const e of readTar(inChunks(data, 700), LIMITS)) seen.push([e.name, e.size]);
    assert.deepEqual(seen, [
      ['a', 3],
      ['b', 3000],
    ]);
  });

  it('a sparse map with its segments, dropping the empty last one GNU tar writes', async () => {
    const entries: unknown[] = [];
    const data = archive(sparse('s', 9000, '2\n1024\n512\n9000\n0\n', Buffer.alloc(512, 1)));
    for await (const e of readTar(inChunks(data, 512), LIMITS)) entries.push([e.size, e.realSize, e.sparse]);
    assert.deepEqual(entries, [[1024, 9000, [{ offset: 1024, length: 512 }]]]);
  });
});

describe('readTar refuses', () => {
  it('a bad header checksum', async () => {
    await refuses(archive(file('a', 'x', { checksumOff: 1 })), 'checksum', /checksum does not match/);
  });

  it('a header that is not POSIX ustar (old GNU magic)', async () => {
    await refuses(archive(file('a', 'x', { magic: 'ustar  \0' })), 'header', /not a POSIX ustar header/);
  });

  for (const [type, words] of [
    ['1', /hard link/],
    ['2', /symbolic link/],
    ['3', /character device/],
    ['4', /block device/],
    ['5', /directory/],
    ['6', /FIFO/],
    ['7', /contiguous file/],
    ['g', /global pax header/],
    ['L', /GNU long name/],
    ['K', /GNU long link name/],
    ['S', /old GNU sparse/],
    ['V', /type "V"/],
  ] as const) {
    it(`an entry of type '${type}'`, async () => {
      await refuses(archive(file('a', '', { type })), 'entry-type', words);
    });
  }

  const badNames: [string, RegExp][] = [
    ['/etc/passwd', /absolute path/],
    ['a/../b', /"\.\." segment/],
    ['..', /"\.\." segment/],
    ['./a', /"\." segment/],
    ['a//b', /empty path segment/],
    ['a/', /empty path segment/],
    ['a\\b', /backslash/],
    ['a b', /character outside/],
    ['caf\u00e9', /character outside/],
    ['a:b', /character outside/],
  ];
  for (const [name, words] of badNames) {
    it(`the name ${JSON.stringify(name)} in the header, a pax path or GNU.sparse.name`, async () => {
      await refuses(archive(file(name, 'x')), 'name', words);
      await refuses(archive(paxOf([['path', name]]), file('ok', 'x')), 'name', words);
      await refuses(archive(sparse(name, 512, '1\n0\n512\n', Buffer.alloc(512))), 'name', words);
    });
  }

  it('a NUL inside a name (pax path, or bytes after the NUL in the name field)', async () => {
    await refuses(archive(paxOf([['path', 'a\0b']]), file('ok', 'x')), 'name', /NUL/);
    await refuses(archive(file('a\0b', 'x')), 'name', /NUL/);
  });

  it('a name twice', async () => {
    await refuses(
      archive(file('a', '1'), file('b', '2'), file('a', '3')),
      'duplicate-name',
      /entry "a".*appears twice/,
    );
  });

  it('an archive cut inside a header, data, padding, or before its two end blocks', async () => {
    const whole = Buffer.concat([file('a', 'hello'), END]);
    await refuses(whole.subarray(0, 100), 'truncated', /ends inside a header/);
    await refuses(whole.subarray(0, 515), 'truncated', /ends inside its data/);
    await refuses(whole.subarray(0, 600), 'truncated', /ends inside the padding/);
    await refuses(whole.subarray(0, 1024), 'truncated', /without its two zero end blocks/);
    await refuses(whole.subarray(0, 1536), 'truncated', /only one zero end block/);
    await refuses(whole.subarray(0, 1800), 'truncated', /only one zero end block/);
    await refuses(pax(record('path', 'long')).subarray(0, 700), 'truncated', /inside a pax header/);
    await refuses(
      Buffer.concat([paxOf([['path', 'x']]), END]),
      'truncated',
      /pax header is followed by the end/,
    );
  });

  it('bytes after the end blocks, or data after a single zero block', async () => {
    const tail = Buffer.alloc(512);
    tail[300] = 1;
    await refuses(Buffer.concat([archive(file('a', 'x')), tail]), 'trailing-data', /bytes after the end/);
    await refuses(
      Buffer.concat([archive(file('a', 'x')), Buffer.alloc(2 << 20)]),
      'trailing-data',
      /1 MiB of zeros/,
    );
    await refuses(
      Buffer.concat([file('a', 'x'), Buffer.alloc(512), file('b', 'y'), END]),
      'trailing-data',
      /not a second zero block/,
    );
  });

  it('non-zero bytes in the padding after data or after pax records', async () => {
    const entry = file('a', 'x');
    entry[600] = 7;
    await refuses(archive(entry), 'padding', /padding after its data has non-zero bytes/);
    const header = pax(record('path', 'b'));
    header[1000] = 7;
    await refuses(archive(header, file('x', 'y')), 'padding', /pax header has non-zero bytes/);
  });

  it('more entries, a larger entry (stored or real) or more bytes in all than the limits', async () => {
    const three = archive(file('a', '1'), file('b', '2'), file('c', '3'));
    await refuses(three, 'too-many-entries', /entry "c".*more than 2 entries/, { ...LIMITS, maxEntries: 2 });
    await refuses(archive(file('big', Buffer.alloc(2000))), 'too-large', /stored size 2000.*limit 1024/, {
      ...LIMITS,
      maxEntrySize: 1024,
    });
    await refuses(
      archive(sparse('s', 5000, '0\n', Buffer.alloc(0))),
      'too-large',
      /real size 5000.*limit 1024/,
      {
        ...LIMITS,
        maxEntrySize: 1024,
      },
    );
    await refuses(three, 'too-large', /more than the limit 2/, { ...LIMITS, maxTotal: 2 });
    const huge = archive(pax(record('size', String(2 ** 40))), header({ name: 'h' }));
    await refuses(huge, 'too-large', /stored size 1099511627776/);
    await refuses(archive(pax('x'.repeat(70_000))), 'too-large', /pax header of 70000 bytes/);
  });

  it('a size field that is not octal, or in base-256', async () => {
    await refuses(archive(header({ sizeField: '0000000009\0' })), 'size-field', /not an octal number/);
    await refuses(archive(header({ sizeField: '        \0   ' })), 'size-field', /not an octal number/);
    await refuses(archive(header({ sizeField: '12 3\0' })), 'size-field', /not an octal number/);
    const base256 = Buffer.alloc(12);
    base256[0] = 0x80;
    base256[11] = 5;
    await refuses(archive(header({ sizeField: base256 })), 'size-field', /base-256/);
  });

  it('a pax size that disagrees with the header, or is not a number', async () => {
    await refuses(
      archive(paxOf([['size', '5']]), file('a', 'abcd')),
      'pax-size',
      /pax size 5 disagrees with its header size 4/,
    );
    await refuses(
      archive(paxOf([['size', '5x']]), file('a', 'abcd')),
      'pax-record',
      /"size" is not a decimal/,
    );
    await refuses(archive(paxOf([['size', '-1']]), file('a', '')), 'pax-record', /"size" is not a decimal/);
  });

  it('malformed pax records: bad length, no "=", no newline, a key twice', async () => {
    const next = file('a', 'x');
    await refuses(archive(pax('99 path=a\n'), next), 'pax-record', /bad length 99/);
    await refuses(archive(pax('5 path=a\n'), next), 'pax-record', /does not end with a newline/);
    await refuses(archive(pax('x9 path=a\n'), next), 'pax-record', /no valid length/);
    await refuses(archive(pax('09 path=a\n'), next), 'pax-record', /no valid length/);
    await refuses(archive(pax('10 path=ab '), next), 'pax-record', /does not end with a newline/);
    await refuses(archive(pax('9 pathab\n'), next), 'pax-record', /no "key="/);
    await refuses(
      archive(pax(`${record('path', 'a')}${record('path', 'b')}`), next),
      'pax-record',
      /"path" appears twice/,
    );
  });

  it('two pax headers in a row', async () => {
    await refuses(
      archive(paxOf([['path', 'a']]), paxOf([['path', 'b']]), file('c', 'x')),
      'entry-type',
      /two pax headers/,
    );
  });

  it('GNU sparse versions other than 1.0, and 1.0 without its name or real size', async () => {
    const stored = file('s', Buffer.alloc(512));
    const v = (major: string, minor: string) =>
      paxOf([
        ['GNU.sparse.major', major],
        ['GNU.sparse.minor', minor],
        ['GNU.sparse.name', 's'],
        ['GNU.sparse.realsize', '512'],
      ]);
    await refuses(archive(v('0', '1'), stored), 'sparse-version', /version 0\.1 is not supported/);
    await refuses(archive(v('2', '0'), stored), 'sparse-version', /version 2\.0 is not supported/);
    await refuses(
      archive(paxOf([['GNU.sparse.map', '0,512']]), stored),
      'sparse-version',
      /GNU\.sparse\.map/,
    );
    await refuses(
      archive(paxOf([['GNU.sparse.size', '512']]), stored),
      'sparse-version',
      /GNU\.sparse\.size/,
    );
    await refuses(
      archive(
        paxOf([
          ['GNU.sparse.major', '1'],
          ['GNU.sparse.minor', '0'],
          ['GNU.sparse.name', 's'],
        ]),
        stored,
      ),
      'pax-record',
      /lacks GNU\.sparse\.name or GNU\.sparse\.realsize/,
    );
    await refuses(
      archive(sparse('s', 512, '1\n0\n512\n', Buffer.alloc(512), [['path', 't']])),
      'pax-record',
      /name different files/,
    );
  });

  const data = Buffer.alloc(1024, 1);
  const badMaps: [string, string, number, Buffer, RegExp][] = [
    ['not a number', '1\n0\nabc\n', 4096, data, /bad byte/],
    ['an empty line', '1\n\n512\n', 4096, data, /not a decimal number/],
    ['a leading zero', '1\n00\n512\n', 4096, data.subarray(0, 512), /not a decimal number/],
    ['a number too long', `1\n${'9'.repeat(17)}\n0\n`, 4096, Buffer.alloc(0), /number too long/],
    ['a NUL among its lines', '2\n0\n512\0', 4096, data, /NUL inside/],
    ['unsorted', '2\n2048\n512\n0\n512\n', 4096, data, /unsorted or overlapping/],
    ['overlapping', '2\n0\n1024\n512\n512\n', 4096, Buffer.alloc(1536), /unsorted or overlapping/],
    ['past the real size', '1\n3584\n1024\n', 4096, data, /past the real size 4096/],
    ['shorter than the stored data', '1\n0\n512\n', 4096, data, /do not add up to the stored size 1536/],
    ['longer than the stored data', '2\n0\n512\n1024\n512\n', 4096, data.subarray(0, 512), /do not add up/],
    [
      'a short segment before another',
      '2\n0\n100\n1024\n512\n',
      4096,
      Buffer.alloc(612),
      /not a multiple of 512/,
    ],
    ['text after its last line', '1\n0\n512\n7\n', 4096, data.subarray(0, 512), /bytes after its last line/],
    [
      'no empty last segment at the real size',
      '1\n0\n512\n',
      4096,
      data.subarray(0, 512),
      /does not reach the real size 4096/,
    ],
    ['no segments for a non-empty file', '0\n', 4096, Buffer.alloc(0), /does not reach the real size/],
    ['more segments than the limit', '5\n', 4096, Buffer.alloc(0), /5 segments, more than 4/],
  ];
  for (const [what, map, realSize, body, words] of badMaps) {
    it(`a sparse map with ${what}`, async () => {
      await refuses(archive(sparse('s', realSize, map, body)), 'sparse-map', words, {
        ...LIMITS,
        maxSparseSegments: 4,
      });
    });
  }

  it('a sparse map that runs past the stored data', async () => {
    const entry = Buffer.concat([
      paxOf([
        ['GNU.sparse.major', '1'],
        ['GNU.sparse.minor', '0'],
        ['GNU.sparse.name', 's'],
        ['GNU.sparse.realsize', '4096'],
      ]),
      file('s', '3\n0\n'),
    ]);
    await refuses(archive(entry), 'sparse-map', /runs past the stored data/);
  });
});
