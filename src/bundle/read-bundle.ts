/**
 * Reads a bundle's tar stream against its manifest (docs/bundle-format.md): the manifest must come
 * first, then exactly the entries it lists, in its order, each of its size and checksum; anything
 * else is refused before it is used. Each entry's data goes to a caller-given place as it arrives
 * and is checked when its last byte came; nothing is trusted before that.
 */
import { createHash } from 'node:crypto';
import { BundleFormatError, BundleInvalidError } from './errors.js';
import type { CopyOptions, CopyRange } from './file-copy.js';
import {
  MANIFEST_PATH,
  MAX_ENTRIES,
  MAX_MANIFEST_BYTES,
  parseManifest,
  type BundleEntry,
  type BundleManifest,
} from './manifest.js';
import { encodeSparseMap, type Segment } from './sparse-map.js';
import { readTar, type TarEntry } from './tar-reader.js';

/** Where an entry's data goes: plain bytes in order, or a sparse disk's segments. */
export interface EntryTarget {
  /** A plain entry's bytes, in order; a sparse entry's bytes, each at its offset in the disk. */
  write(chunk: Buffer, offset: number): Promise<void>;
  /** Called once the entry's every byte came and its checksum matched. */
  done(): Promise<void>;
  /**
   * The fast path for a sparse entry of a bundle file: copies its data from the file by offset into
   * the target (file-copy.ts), resolving with the SHA-256 of `prefix` and the data.
   */
  copy?(req: Pick<CopyOptions, 'ranges' | 'prefix' | 'onData' | 'readError'>): Promise<string>;
}

export interface ReadBundleHandlers {
  /** The manifest, checked; may refuse it (no room, a name taken) by throwing. */
  manifest(m: BundleManifest): Promise<void>;
  /** Where `entry`'s data goes. */
  target(entry: BundleEntry, sparse: Segment[] | undefined): Promise<EntryTarget>;
  signal?: AbortSignal;
  /** Data bytes read so far. */
  onData?: (bytes: number) => void;
}

/** A little more than a bundle can hold: a disk up to 64 TiB. */
const LIMIT = 2 ** 46;

/** Reads the whole bundle; resolves when its end was read and every entry matched its manifest line. */
export async function readBundle(
  source: AsyncIterable<Uint8Array>,
  h: ReadBundleHandlers,
): Promise<BundleManifest> {
  const entries = readTar(source, { maxEntries: MAX_ENTRIES + 1, maxEntrySize: LIMIT, maxTotal: LIMIT });
  const first = await entries.next();
  if (first.done || first.value.name !== MANIFEST_PATH)
    throw new BundleInvalidError(
      `It does not begin with a ${MANIFEST_PATH}${first.done ? ' (it is empty)' : ` but with ${first.value.name}`}`,
    );
  if (first.value.size > MAX_MANIFEST_BYTES)
    throw new BundleInvalidError(`Its ${MANIFEST_PATH} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const manifest = parseManifest((await collect(first.value)).toString('utf8'));
  await h.manifest(manifest);
  let data = 0;
  for (const expected of manifest.entries) {
    h.signal?.throwIfAborted();
    const next = await entries.next();
    if (next.done) throw new BundleInvalidError(`It ends before ${expected.path}, which its manifest lists`);
    const e = next.value;
    if (e.name !== expected.path)
      throw new BundleInvalidError(
        manifest.entries.some((x) => x.path === e.name)
          ? `Its entry ${e.name} comes where its manifest lists ${expected.path}`
          : `It holds ${e.name}, which its manifest does not list`,
      );
    const realSize = expected.realSize ?? expected.size;
    if (
      e.size !== expected.size ||
      e.realSize !== realSize ||
      (expected.kind === 'disk') !== (e.sparse !== undefined)
    )
      throw new BundleInvalidError(
        `Its entry ${e.name} is ${e.size} bytes (${e.sparse ? 'sparse, ' : ''}${e.realSize} in all), but its manifest says ${expected.size} (${realSize} in all)`,
      );
    const target = await h.target(expected, e.sparse);
    const map = e.sparse && encodeSparseMap(e.sparse, e.realSize);
    const region = map && target.copy && e.body.inFile();
    if (region) {
      const before = data;
      const sha256 = await target.copy!({
        ranges: fileRanges(region, e.sparse!),
        prefix: map,
        onData: (n) => h.onData?.(before + n),
        readError: (file, offset, why, cause) =>
          cause
            ? new BundleInvalidError(`Its file ${file} could not be read at byte ${offset}: ${why}`, {
                cause,
              })
            : new BundleFormatError('truncated', 'the archive ends inside its data', { entry: e.name }),
      });
      data += region.length;
      h.onData?.(data);
      if (sha256 !== expected.sha256) throw mismatch(e.name);
      await target.done();
      continue;
    }
    const hash = createHash('sha256');
    if (map) hash.update(map);
    const segments = e.sparse ?? [{ offset: 0, length: e.size }];
    let seg = 0;
    let at = segments[0]?.offset ?? 0;
    for await (const chunk of e.body) {
      h.signal?.throwIfAborted();
      hash.update(chunk);
      // A chunk may span segments: each part goes to its own offset.
      for (let used = 0; used < chunk.length;) {
        const s = segments[seg]!;
        const n = Math.min(chunk.length - used, s.offset + s.length - at);
        await target.write(used === 0 && n === chunk.length ? chunk : chunk.subarray(used, used + n), at);
        used += n;
        at += n;
        if (at === s.offset + s.length && seg + 1 < segments.length) at = segments[++seg]!.offset;
      }
      data += chunk.length;
      h.onData?.(data);
    }
    if (hash.digest('hex') !== expected.sha256) throw mismatch(e.name);
    await target.done();
  }
  const extra = await entries.next();
  if (!extra.done)
    throw new BundleInvalidError(`It holds ${extra.value.name}, which its manifest does not list`);
  return manifest;
}

function mismatch(name: string): BundleInvalidError {
  return new BundleInvalidError(`Its entry ${name} does not match its checksum: it was changed or damaged`);
}

/** A sparse entry's segments, stored one after the other from `region.offset` of the bundle file. */
function fileRanges(region: { file: string; offset: number }, segments: Segment[]): CopyRange[] {
  let from = region.offset;
  return segments.map((s) => {
    const r = { file: region.file, offset: from, length: s.length, to: s.offset };
    from += s.length;
    return r;
  });
}

async function collect(e: TarEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of e.body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}
