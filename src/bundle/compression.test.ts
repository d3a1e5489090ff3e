/**
 * bundleBytes: a plain tar passes through as it is; a zstd bundle is decompressed, and one that
 * expands past the limit its manifest sets (a compressed size bomb: a few kB that would be gigabytes)
 * stops with bundle-too-large long before it got there, leaving no zstd process. Into a file, zstd
 * appends its output itself: the same bytes as through the pipe, and a full disk says so.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isNoSpace } from '../machines/no-space.js';
import { bundleBytes, bundleCompression } from './compression.js';
import { manifestReserve, type BundleManifest } from './manifest.js';
import { readBundle } from './read-bundle.js';
import { writeBundle } from './write-bundle.js';

const domain = Buffer.from('<domain/>');
const manifest = (): BundleManifest => ({
  format: 'phyllome-bundle',
  formatVersion: 1,
  phyllomeVersion: '0.1.0',
  createdAt: '2026-12-02T00:00:00.000Z',
  vm: {
    name: 'web',
    uuid: '6f1c6b0e-3c1d-4b8e-9a55-8c2f4f0c9e11',
    profile: 'linux',
    os: 'linux',
    modelVersion: 2,
    options: {},
  },
  source: {},
  entries: [
    {
      path: 'domain.xml',
      kind: 'domain',
      size: domain.length,
      sha256: createHash('sha256').update(domain).digest('hex'),
    },
  ],
});
const sources = [
  {
    entry: { path: 'domain.xml', kind: 'domain' as const, size: domain.length },
    data: async function* () {
      yield domain;
    },
  },
];

async function bundle(
  compressed: boolean,
  tail?: (out: (c: Buffer) => Promise<void>) => Promise<void>,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  const m = manifest();
  const compression = compressed ? bundleCompression() : undefined;
  // A tail written into the compressor after the archive's end: what a hostile bundle could hold.
  const withTail =
    compression && tail
      ? {
          storedFrame: compression.storedFrame,
          compressor: (out: (c: Buffer) => Promise<void>) => {
            const c = compression.compressor(out);
            return { ...c, end: async () => (await tail((b) => c.write(b)), await c.end()) };
          },
        }
      : compression;
  await writeBundle(
    async (c) => void parts.push(Buffer.from(c)),
    m,
    manifestReserve(m),
    sources,
    withTail ? { compression: withTail } : {},
  );
  return Buffer.concat(parts);
}

async function* once(b: Buffer) {
  yield b;
}

/** Reads a bundle the way vm import does: the limit grows from the manifest's sizes once it is read. */
async function read(b: Buffer) {
  let cap = 2 << 20;
  let seen = '';
  await readBundle(
    bundleBytes(once(b), undefined, () => cap),
    {
      async manifest(m) {
        cap = 2 * (1 << 20) + m.entries.reduce((s, e) => s + e.size, 0) + 6144;
      },
      async target() {
        return { write: async (c) => void (seen += c.toString()), done: async () => undefined };
      },
    },
  );
  return seen;
}

test('a plain and a zstd bundle read the same', async () => {
  const plain = await bundle(false);
  const packed = await bundle(true);
  assert.ok(packed.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])));
  assert.equal(await read(plain), '<domain/>');
  assert.equal(await read(packed), '<domain/>');
});

test('a compressed size bomb: refused after a few MiB, by the tar layer or the limit, whichever comes first', async () => {
  const zeros = Buffer.alloc(4 << 20);
  // 1 GiB of zeros after the archive's end blocks: a few hundred kB compressed.
  const bomb = await bundle(true, async (write) => {
    for (let i = 0; i < 256; i++) await write(zeros);
  });
  assert.ok(bomb.length < 1 << 20, `${bomb.length} bytes`);
  // As vm import reads it: the tar reader refuses the zeros after the end (at most 1 MiB of them).
  await assert.rejects(
    read(bomb),
    (e: unknown) =>
      (e as { code?: string }).code === 'bundle-invalid' &&
      /zeros follows the end/.test((e as Error).message),
  );
  // The decompression's own limit, which stops whatever the reader would take: bundle-too-large.
  let out = 0;
  await assert.rejects(
    (async () => {
      for await (const c of bundleBytes(once(bomb), undefined, () => 8 << 20)) out += c.length;
    })(),
    (e: unknown) => (e as { code?: string }).code === 'bundle-too-large',
  );
  assert.ok(out <= 8 << 20, `${out} bytes handed on`);
});

/** writeBundle into a file, as vm export does: the sink writes at its position, zstd appends. */
async function bundleFile(path: string, compression = bundleCompression()): Promise<number> {
  const fh = await open(path, 'w');
  try {
    let bytes = 0;
    const m = manifest();
    await writeBundle(
      async (c) => {
        const at = bytes;
        bytes += c.length;
        await fh.write(c, 0, c.length, at);
      },
      m,
      manifestReserve(m),
      sources,
      {
        compression,
        file: {
          fd: fh.fd,
          path,
          position: () => bytes,
          advance: (n) => (bytes += n),
          flush: async () => undefined,
        },
      },
    );
    return bytes;
  } finally {
    await fh.close();
  }
}

test('into a file, zstd appends the same bytes the pipe would have brought back, and counts them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'phyllo-zfile-'));
  try {
    const path = join(dir, 'b.phyllome');
    const bytes = await bundleFile(path);
    const file = await readFile(path);
    assert.equal(bytes, file.length, 'the position advanced by what zstd wrote');
    assert.ok(file.equals(await bundle(true)));
    assert.equal(await read(file), '<domain/>');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('into a full file system (/dev/full), the export fails with zstd\'s "No space left on device"', async () => {
  const compression = bundleCompression();
  // The manifest's region goes to /dev/full too: only the appending part is tried here.
  await assert.rejects(
    writeBundle(async () => undefined, manifest(), manifestReserve(manifest()), sources, {
      compression,
      file: { fd: -1, path: '/dev/full', position: () => 0, advance: () => 0, flush: async () => undefined },
    }),
    (e: unknown) => isNoSpace(e),
  );
});
