/**
 * Writes a bundle's bytes (docs/bundle-format.md): the manifest entry first, then each entry with its
 * SHA-256 computed as it is written, then the end of the archive; zstd-compressed after the manifest
 * when asked. The manifest's region has a fixed size, so a file can be rewritten in place at the end
 * with the real checksums (`manifestRegion`), and a compressed one keeps that region in a zstd frame
 * of stored blocks, whose length does not depend on its content.
 */
import { createHash } from 'node:crypto';
import { MANIFEST_PATH, manifestBytes, type BundleEntry, type BundleManifest } from './manifest.js';
import type { EntrySource } from './export-sources.js';
import { encodeSparseMap } from './sparse-map.js';
import { readAhead } from './overlap.js';
import { TarWriter, type TarSink } from './tar-writer.js';
import { DiskUnreadableError, type DataSegment } from './disk-layout.js';
import { copyRanges } from './file-copy.js';
import { consumed } from './chunk-pool.js';

/** Compressed bytes go on to `out` (or into a file); `end` waits until all of them went. */
export interface Compressor {
  write(chunk: Buffer): Promise<void>;
  /** Resolves once every compressed byte went; to their count when they went into a file. */
  end(): Promise<number | void>;
  /** Stops at once (a cancel or a failure). */
  destroy(): void;
}

/** The zstd layer, as the writer needs it; none for an uncompressed bundle. */
export interface Compression {
  /** A frame of stored blocks holding `data`: its length depends only on data's length. */
  storedFrame(data: Buffer): Buffer;
  compressor(out: TarSink): Compressor;
  /**
   * Compressed bytes appended to the file at `path` by the compressor itself, not handed back to
   * this process first (a bundle file: one copy less, and this core free for reading and hashing).
   */
  appendTo?(path: string): Promise<Compressor>;
}

export interface WriteBundleOptions {
  compression?: Compression;
  signal?: AbortSignal;
  /** Data bytes written so far (not headers). */
  onData?: (bytes: number) => void;
  /**
   * The output is this file, uncompressed: a local disk's data is copied into it file to file
   * (file-copy.ts) rather than through the sink. `position` is where the sink's next byte goes.
   */
  file?: {
    fd: number;
    path: string;
    position(): number;
    advance(n: number): void;
    flush(): Promise<void>;
  };
}

/** The bytes of the manifest's region: its tar header and space-padded data, in a stored frame if compressed. */
export async function manifestRegion(
  m: BundleManifest,
  reserve: number,
  compression: Compression | undefined,
  mtime: Date,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  const tw = new TarWriter(async (c) => void parts.push(Buffer.from(c)), { mtime });
  await tw.addFile(MANIFEST_PATH, manifestBytes(m, reserve));
  const tar = Buffer.concat(parts);
  return compression ? compression.storedFrame(tar) : tar;
}

/**
 * Writes the whole bundle to `out`, the manifest as `manifest` says (its checksums may be
 * placeholders to be rewritten); returns the entries with their real checksums, in order.
 */
export async function writeBundle(
  out: TarSink,
  manifest: BundleManifest,
  reserve: number,
  sources: EntrySource[],
  opts: WriteBundleOptions,
): Promise<BundleEntry[]> {
  const mtime = new Date(manifest.createdAt);
  await out(await manifestRegion(manifest, reserve, opts.compression, mtime));
  const { compression, file } = opts;
  let compressor: Compressor | undefined;
  if (compression?.appendTo && file) {
    // What went through the sink must be in the file before the compressor appends after it.
    await file.flush();
    compressor = await compression.appendTo(file.path);
  } else compressor = compression?.compressor(out);
  const sink: TarSink = compressor ? (c) => compressor.write(c) : out;
  try {
    // The manifest went out already; the writer's archive continues after it.
    const tw = new TarWriter(sink, { mtime });
    const done: BundleEntry[] = [];
    let data = 0;
    for (const s of sources) {
      opts.signal?.throwIfAborted();
      const hash = createHash('sha256');
      const { entry: e } = s;
      const writer = s.sparse
        ? await tw.openSparseEntry(e.path, e.realSize ?? 0, s.sparse)
        : await tw.openEntry(e.path, e.size);
      const map = s.sparse ? encodeSparseMap(s.sparse, e.realSize ?? 0) : undefined;
      if (s.local && opts.file && !compressor) {
        const before = data;
        const sha256 = await copyEntry(s.local, map, opts.file, opts.signal, (n) =>
          opts.onData?.(before + n),
        );
        const length = s.local.reduce((n, x) => n + x.length, 0);
        writer.copied(length);
        data += length;
        await writer.close();
        done.push({ ...e, sha256 });
        continue;
      }
      if (map) hash.update(map);
      for await (const chunk of readAhead(s.data())) {
        opts.signal?.throwIfAborted();
        hash.update(chunk);
        await writer.write(chunk);
        data += chunk.length;
        opts.onData?.(data);
      }
      await writer.close();
      done.push({ ...e, sha256: hash.digest('hex') });
    }
    await tw.finish();
    const appended = await compressor?.end();
    if (typeof appended === 'number') file?.advance(appended);
    return done;
  } catch (err) {
    compressor?.destroy();
    throw err;
  }
}

/**
 * A local disk's data segments copied from their files into the bundle file where the sink's next
 * byte would go (its earlier writes settled first); the checksum of `map` and the data.
 */
async function copyEntry(
  segments: DataSegment[],
  map: Buffer | undefined,
  file: NonNullable<WriteBundleOptions['file']>,
  signal: AbortSignal | undefined,
  onData: (n: number) => void,
): Promise<string> {
  await file.flush();
  let to = file.position();
  const ranges = segments.map((s) => {
    const r = { file: s.file, offset: s.fileOffset, length: s.length, to };
    to += s.length;
    return r;
  });
  const sha256 = await copyRanges({
    out: file.fd,
    ranges,
    ...(map ? { prefix: map } : {}),
    ...(signal ? { signal } : {}),
    onData,
    readError: (path, offset, why, cause) => new DiskUnreadableError(path, why, cause),
  });
  file.advance(to - file.position());
  return sha256;
}

/** The checksums of the entries, by reading their data (the first pass for an output that cannot be rewritten). */
export async function entryChecksums(
  sources: EntrySource[],
  signal?: AbortSignal,
  onData?: (bytes: number) => void,
): Promise<BundleEntry[]> {
  const out: BundleEntry[] = [];
  let data = 0;
  for (const s of sources) {
    const hash = createHash('sha256');
    if (s.sparse) hash.update(encodeSparseMap(s.sparse, s.entry.realSize ?? 0));
    for await (const chunk of s.data()) {
      signal?.throwIfAborted();
      hash.update(chunk);
      // Only hashed: its buffer can take the next read (chunk-pool.ts).
      consumed(chunk);
      data += chunk.length;
      onData?.(data);
    }
    out.push({ ...s.entry, sha256: hash.digest('hex') });
  }
  return out;
}
