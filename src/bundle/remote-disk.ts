/**
 * A disk's guest-visible data on a remote host, for a bundle's sparse disk entry, through that host's
 * libvirt only. libvirt streams a volume's file bytes with its holes skipped (the SPARSE_STREAM flag),
 * so a raw image is read as it is. A qcow2 image, or a linked clone's overlay, holds the guest's data
 * in its own layout: it is first flattened into a raw volume beside it (virStorageVolCreateXMLFrom,
 * which runs `qemu-img convert` on that host), which is read and then deleted.
 *
 * A sparse entry starts with its map, so the ranges holding data must be known before its first
 * byte is written: a first download walks the image and records them, a later one sends the data
 * (and, for a bundle on standard output, one more before it takes the checksums). The VM is shut off
 * and locked meanwhile; a later download whose data lies elsewhere than the first's is refused.
 */
import { basename } from 'node:path';
import { StreamHole, type Libvirt, type StorageVolume } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { parseSourceDisk } from '../machines/disk-copy.js';
import { RemoteJournal, sweepRemoteRuns } from './remote-journal.js';
import { volumeXml } from '../machines/volume-xml.js';
import { DiskUnreadableError } from './disk-layout.js';
import { segmentsProblem, type Segment } from './sparse-map.js';

export interface RemoteDisk {
  realSize: number;
  /** The guest ranges holding data, ascending. */
  ranges: Segment[];
  /** The data bytes of `ranges`, in order (a fresh download each call). */
  data(): AsyncIterable<Buffer>;
  /** Deletes the flattened copy, if one was made. */
  cleanup(): Promise<void>;
}

/** The image changed between the two downloads (something wrote it while it was exported). */
export class DiskChangedError extends PhyllomeError {
  override name = 'DiskChangedError';
  constructor(path: string) {
    super('disk-changed', `The disk ${path} changed while it was exported`, {
      hint: 'Make sure nothing else writes the image (the VM stays shut off), then export again.',
    });
  }
}

/** Walks a sparse download: each data chunk with its offset in the volume. */
async function* chunksOf(
  vol: StorageVolume,
  signal?: AbortSignal,
): AsyncGenerator<{ at: number; data: Buffer }> {
  const stream = await vol.downloadSparse();
  let at = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer | StreamHole>) {
      signal?.throwIfAborted();
      if (c instanceof StreamHole) at += c.length;
      else {
        yield { at, data: c };
        at += c.length;
      }
    }
  } finally {
    if (!stream.readableEnded) await stream.abort().catch(() => undefined);
  }
}

/** The ranges holding data, adjacent chunks merged. */
async function rangesOf(vol: StorageVolume, signal?: AbortSignal): Promise<Segment[]> {
  const ranges: Segment[] = [];
  for await (const { at, data } of chunksOf(vol, signal)) {
    const last = ranges[ranges.length - 1];
    if (last && last.offset + last.length === at) last.length += data.length;
    else ranges.push({ offset: at, length: data.length });
  }
  return ranges;
}

/** The volume's data, checked against `ranges` as it comes. */
async function* dataOf(vol: StorageVolume, ranges: Segment[], label: string): AsyncGenerator<Buffer> {
  let seg = 0;
  let at = ranges[0]?.offset ?? 0;
  for await (const { at: offset, data } of chunksOf(vol)) {
    const s = ranges[seg];
    if (!s || offset !== at || at + data.length > s.offset + s.length) throw new DiskChangedError(label);
    yield data;
    at += data.length;
    if (at === s.offset + s.length) at = ranges[++seg]?.offset ?? Infinity;
  }
  if (seg !== ranges.length) throw new DiskChangedError(label);
}

/** The disk at `path` on the connection's host, read through its libvirt. */
export async function remoteDisk(
  lv: Libvirt,
  path: string,
  tmpName: string,
  signal?: AbortSignal,
): Promise<RemoteDisk> {
  const src = await lv.volumes.lookupByPath(path);
  const disk = parseSourceDisk(await src.xml());
  let vol = src;
  let made: StorageVolume | undefined;
  let journal: RemoteJournal | undefined;
  if (disk.format !== 'raw' || disk.backing !== undefined) {
    // An export killed while it reads the copy leaves it in the journal, for the next run there.
    await sweepRemoteRuns(lv).catch(() => undefined);
    journal = await RemoteJournal.begin(lv);
    await journal.add({ kind: 'volume', pool: src.poolName, name: tmpName });
    const pool = await lv.pools.lookup(src.poolName);
    made = await pool.volumes
      .createFrom(volumeXml(tmpName, disk.capacity, { sparse: true }), src)
      .catch(async (err: unknown) => {
        await journal?.end();
        throw err;
      });
    vol = made;
  }
  const cleanup = async () => {
    const gone = await made?.delete().then(
      () => true,
      () => false,
    );
    await (gone === false ? journal?.abandon() : journal?.end());
  };
  try {
    const realSize = Number((await vol.info()).capacity);
    const ranges = await rangesOf(vol, signal);
    const problem = segmentsProblem(ranges, realSize);
    if (problem)
      throw new DiskUnreadableError(path, `its data cannot be carried as a sparse entry (${problem})`);
    const label = basename(path);
    return { realSize, ranges, data: () => dataOf(vol, ranges, label), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
