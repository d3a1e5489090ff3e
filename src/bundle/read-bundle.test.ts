/**
 * readBundle against bundles made to lie: each made with the real writer (so the tar layer is valid)
 * and a manifest that does not match what follows, or entries the manifest does not list. Each is
 * refused with bundle-invalid, naming the entry, before the handler that would define anything runs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BundleInvalidError } from './errors.js';
import { manifestBytes, manifestReserve, type BundleEntry, type BundleManifest } from './manifest.js';
import { readBundle } from './read-bundle.js';
import { encodeSparseMap } from './sparse-map.js';
import { TarWriter } from './tar-writer.js';

const mtime = new Date('2026-12-02T00:00:00Z');
const sha = (...b: Buffer[]) => createHash('sha256').update(Buffer.concat(b)).digest('hex');
const domain = Buffer.from('<domain/>');
const disk = Buffer.alloc(4096, 0x5a);
const segs = [{ offset: 8192, length: 4096 }];
const diskMap = encodeSparseMap(segs, 1 << 20);

function manifest(entries: BundleEntry[]): BundleManifest {
  return {
    format: 'phyllome-bundle',
    formatVersion: 1,
    phyllomeVersion: '0.1.0',
    createdAt: mtime.toISOString(),
    vm: {
      name: 'web',
      uuid: '6f1c6b0e-3c1d-4b8e-9a55-8c2f4f0c9e11',
      profile: 'linux',
      os: 'linux',
      modelVersion: 2,
      options: {},
    },
    source: {},
    entries,
  };
}

const goodEntries = (): BundleEntry[] => [
  { path: 'domain.xml', kind: 'domain', size: domain.length, sha256: sha(domain) },
  {
    path: 'disks/vda.raw',
    kind: 'disk',
    target: 'vda',
    size: diskMap.length + disk.length,
    realSize: 1 << 20,
    sha256: sha(diskMap, disk),
  },
];

/** A tar stream: the manifest, then `write`'s entries, then the end. */
async function bundle(
  m: BundleManifest,
  write: (tw: TarWriter) => Promise<void>,
  end = true,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  const tw = new TarWriter(async (c) => void parts.push(Buffer.from(c)), { mtime });
  await tw.addFile('manifest.json', manifestBytes(m, manifestReserve(m)));
  await write(tw);
  if (end) await tw.finish();
  return Buffer.concat(parts);
}

const writeDomain = (tw: TarWriter, data = domain) => tw.addFile('domain.xml', data);
async function writeDisk(tw: TarWriter, data = disk) {
  const w = await tw.openSparseEntry('disks/vda.raw', 1 << 20, segs);
  await w.write(data);
  await w.close();
}

async function* chunks(b: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Reads `b`, recording what the handlers saw. */
async function read(b: Buffer) {
  const seen: { manifest?: BundleManifest; done: string[]; bytes: Map<string, Buffer> } = {
    done: [],
    bytes: new Map(),
  };
  await readBundle(chunks(b), {
    async manifest(m) {
      seen.manifest = m;
    },
    async target(e) {
      const parts: Buffer[] = [];
      return {
        async write(c, offset) {
          parts.push(Buffer.from(`${offset}:`), Buffer.from(c));
        },
        async done() {
          seen.done.push(e.path);
          seen.bytes.set(e.path, Buffer.concat(parts));
        },
      };
    },
  });
  return seen;
}

async function refused(b: Buffer, why: RegExp, doneBefore: string[] = []) {
  const seen: string[] = [];
  await assert.rejects(
    readBundle(chunks(b), {
      manifest: async () => undefined,
      target: async (e) => ({ write: async () => undefined, done: async () => void seen.push(e.path) }),
    }),
    (e: unknown) => e instanceof BundleInvalidError && e.code === 'bundle-invalid' && why.test(e.message),
  );
  assert.deepEqual(seen, doneBefore, 'entries accepted before the refusal');
}

test('a good bundle: every entry checked and handed on, a disk’s data at its offsets', async () => {
  const seen = await read(
    await bundle(manifest(goodEntries()), async (tw) => (await writeDomain(tw), await writeDisk(tw))),
  );
  assert.equal(seen.manifest?.vm.name, 'web');
  assert.deepEqual(seen.done, ['domain.xml', 'disks/vda.raw']);
  assert.ok(
    seen.bytes.get('disks/vda.raw')!.subarray(0, 5).equals(Buffer.from('8192:')),
    'the first chunk goes at the segment’s offset',
  );
});

test('a changed byte in any entry: its checksum does not match', async () => {
  const flipped = Buffer.from(domain);
  flipped.writeUInt8(flipped.readUInt8(1) ^ 1, 1);
  await refused(
    await bundle(
      manifest(goodEntries()),
      async (tw) => (await writeDomain(tw, flipped), await writeDisk(tw)),
    ),
    /domain\.xml does not match its checksum/,
  );
  const d2 = Buffer.from(disk);
  d2.writeUInt8(d2.readUInt8(4000) ^ 1, 4000);
  await refused(
    await bundle(manifest(goodEntries()), async (tw) => (await writeDomain(tw), await writeDisk(tw, d2))),
    /disks\/vda\.raw does not match its checksum/,
    ['domain.xml'],
  );
});

test('a manifest that lies about sizes, or lists what is not there', async () => {
  const lie = goodEntries();
  lie[0]!.size += 1;
  await refused(
    await bundle(manifest(lie), async (tw) => (await writeDomain(tw), await writeDisk(tw))),
    /domain\.xml is 9 bytes .* its manifest says 10/,
  );
  const real = goodEntries();
  real[1]!.realSize = 2 << 20;
  await refused(
    await bundle(manifest(real), async (tw) => (await writeDomain(tw), await writeDisk(tw))),
    /disks\/vda\.raw is .*its manifest says .*2097152 in all/,
    ['domain.xml'],
  );
  await refused(
    await bundle(manifest(goodEntries()), (tw) => writeDomain(tw)),
    /ends before disks\/vda\.raw, which its manifest lists/,
    ['domain.xml'],
  );
});

test('entries the manifest does not list, or in another order', async () => {
  await refused(
    await bundle(
      manifest(goodEntries()),
      async (tw) => (
        await writeDomain(tw),
        await writeDisk(tw),
        await tw.addFile('tpm/extra', Buffer.from('x'))
      ),
    ),
    /holds tpm\/extra, which its manifest does not list/,
    ['domain.xml', 'disks/vda.raw'],
  );
  await refused(
    await bundle(
      manifest(goodEntries()),
      async (tw) => (await tw.addFile('run.sh', Buffer.from('x')), await writeDomain(tw)),
    ),
    /holds run\.sh, which its manifest does not list/,
  );
  await refused(
    await bundle(manifest(goodEntries()), async (tw) => (await writeDisk(tw), await writeDomain(tw))),
    /disks\/vda\.raw comes where its manifest lists domain\.xml/,
  );
});

test('no manifest first, a truncated bundle, a bad manifest', async () => {
  const parts: Buffer[] = [];
  const tw = new TarWriter(async (c) => void parts.push(Buffer.from(c)), { mtime });
  await writeDomain(tw);
  await tw.finish();
  await refused(Buffer.concat(parts), /does not begin with a manifest\.json but with domain\.xml/);
  const whole = await bundle(
    manifest(goodEntries()),
    async (tw) => (await writeDomain(tw), await writeDisk(tw)),
  );
  await refused(whole.subarray(0, whole.length - 2048), /truncated|ends/i, ['domain.xml']);
  const v2 = { ...manifest(goodEntries()), formatVersion: 2 } as unknown as BundleManifest;
  await refused(await bundle(v2, (tw) => writeDomain(tw)), /format version is 2/);
});
