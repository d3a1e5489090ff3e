/**
 * Where a local disk's guest-visible data is, for a bundle's sparse disk entry: `qemu-img map` of the
 * image walks its whole backing chain and says, for each range of the guest's disk, whether it holds
 * data and, if so, in which image of the chain and at which offset of that file. So a qcow2 image, a
 * linked clone's overlay over its base, or a raw file is read once, straight from its files, flattened,
 * and its holes are never read. Compressed or encrypted clusters have no file offset: such an image is
 * first converted to a sparse raw file beside the bundle (qemu-img convert), which is then read.
 */
import { execFile } from 'node:child_process';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PhyllomeError } from '../errors.js';
import { localBackingChain } from '../machines/image-chain.js';
import { BUNDLE_CHUNK } from './chunk-size.js';
import { ChunkPool } from './chunk-pool.js';

/** A range of the guest's disk that holds data, and where its bytes are. */
export interface DataSegment {
  offset: number;
  length: number;
  file: string;
  fileOffset: number;
}

export interface DiskLayout {
  /** The guest-visible (virtual) size. */
  realSize: number;
  /** Ascending, not overlapping; guest ranges that follow each other are kept apart only when their files differ. */
  segments: DataSegment[];
  /** Removes the converted copy, if one was made. */
  cleanup(): Promise<void>;
}

/** A disk image qemu-img could not read or map. */
export class DiskUnreadableError extends PhyllomeError {
  override name = 'DiskUnreadableError';
  constructor(path: string, why: string, cause?: unknown) {
    super('disk-unreadable', `Could not read the disk image ${path}: ${why}`, {
      cause,
      hint: `Check the image with \`qemu-img check ${path}\`, and that qemu-img (Debian's qemu-utils) is installed.`,
    });
  }
}

interface MapExtent {
  start: number;
  length: number;
  depth: number;
  data: boolean;
  offset?: number;
}

const run = promisify(execFile);

async function qemuImg(args: string[], path: string): Promise<string> {
  try {
    return (await run('qemu-img', args, { maxBuffer: 256 << 20 })).stdout;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new DiskUnreadableError(path, stderr.split('\n').pop() || (err as Error).message, err);
  }
}

/** The data segments from `qemu-img map` extents, or undefined when one has no file offset. */
export function segmentsOf(extents: MapExtent[], chain: string[]): DataSegment[] | undefined {
  const out: DataSegment[] = [];
  for (const e of extents) {
    if (!e.data || e.length === 0) continue;
    const file = chain[e.depth];
    if (e.offset === undefined || file === undefined) return undefined;
    const last = out[out.length - 1];
    if (
      last &&
      last.file === file &&
      last.offset + last.length === e.start &&
      last.fileOffset + last.length === e.offset
    )
      last.length += e.length;
    else out.push({ offset: e.start, length: e.length, file, fileOffset: e.offset });
  }
  return out;
}

async function mapped(path: string): Promise<{ realSize: number; segments: DataSegment[] | undefined }> {
  const chain = await localBackingChain(path);
  const realSize = chain?.[0]?.capacityBytes;
  if (!chain || realSize === undefined)
    throw new DiskUnreadableError(path, 'qemu-img info could not read it');
  const extents = JSON.parse(await qemuImg(['map', '--output=json', '-U', path], path)) as MapExtent[];
  return {
    realSize,
    segments: segmentsOf(
      extents,
      chain.map((c) => c.path),
    ),
  };
}

/**
 * The layout of the local image `path` (the VM is shut off, so it does not change under us). `tmpDir`
 * is where a converted copy goes when the image cannot be read in place.
 */
export async function localDiskLayout(path: string, tmpDir: string): Promise<DiskLayout> {
  const direct = await mapped(path);
  if (direct.segments)
    return { realSize: direct.realSize, segments: direct.segments, cleanup: async () => undefined };
  const copy = join(tmpDir, `flat-${process.pid}-${Date.now()}.raw`);
  const cleanup = () => rm(copy, { force: true });
  try {
    await qemuImg(['convert', '-U', '-O', 'raw', '-S', '4k', path, copy], path);
    const flat = await mapped(copy);
    if (!flat.segments) throw new DiskUnreadableError(path, 'its converted copy could not be mapped either');
    return { realSize: flat.realSize, segments: flat.segments, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The guest ranges holding data, contiguous ones merged (the sparse map a bundle's disk entry has). */
export function guestRanges(segments: DataSegment[]): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.offset + last.length === s.offset) last.length += s.length;
    else out.push({ offset: s.offset, length: s.length });
  }
  return out;
}

/**
 * The segments' bytes in order, read from their files in chunks of at most `chunk` bytes. Each chunk
 * is read into a buffer of a pool (chunk-pool.ts), used again once the consumer calls `consumed` on
 * it; one not given back is never reused (the consumer may hold it, in a pipe's queue, while the next
 * is read).
 */
export async function* segmentBytes(segments: DataSegment[], chunk = BUNDLE_CHUNK): AsyncGenerator<Buffer> {
  const files = new Map<string, FileHandle>();
  const pool = new ChunkPool(chunk);
  try {
    for (const s of segments) {
      let fh = files.get(s.file);
      if (!fh) files.set(s.file, (fh = await open(s.file, 'r')));
      for (let done = 0; done < s.length;) {
        const want = Math.min(chunk, s.length - done);
        const buf = pool.take();
        const { bytesRead } = await fh.read(buf, 0, want, s.fileOffset + done);
        if (bytesRead === 0)
          throw new DiskUnreadableError(s.file, `it ends before offset ${s.fileOffset + done}`);
        done += bytesRead;
        yield pool.lend(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), buf);
      }
    }
  } finally {
    await Promise.all([...files.values()].map((f) => f.close()));
  }
}
