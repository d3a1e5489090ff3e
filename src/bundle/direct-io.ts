/**
 * Direct I/O (O_DIRECT) for file-copy.ts's reader and writer: the data goes between the device and
 * the ring's memory, not through the page cache. On the machines Phyllome is built on (a 2-core
 * Firecracker VM whose fresh page cache pages are costly), a 2 GiB file copied with the whole cache
 * dropped first, a reader and a writer thread taking turns over the ring: 2.45–3.40 s direct against
 * 5.36–6.23 s buffered, with `cp --sparse=always` + `sync` at 4.68–5.88 s in the same rounds.
 *
 * Direct I/O wants offsets, lengths and memory aligned to the device's block: 512 bytes is tried, and
 * a file system or device that refuses (EINVAL: tmpfs before Linux 6.6 has no O_DIRECT, a 4 KiB-sector
 * disk wants more) is read or written buffered from then on. A piece that is not aligned goes buffered too, on a
 * second descriptor of the same file (Linux keeps the two coherent).
 *
 * Only on local file systems that are known to do it well (LOCAL_FS): over NFS, SMB or FUSE a direct
 * read or write is one request at a time, with no readahead and no write-behind, where buffered I/O
 * keeps many on the wire.
 *
 * Only Node's built-ins: the workers load it from their own files.
 */
import { constants, openSync, statfsSync } from 'node:fs';

export const ALIGN = 512;

export const aligned = (n: number) => n % ALIGN === 0;

/** statfs(2) magic numbers of local file systems with a direct I/O path of their own. */
const LOCAL_FS = new Map([
  [0xef53, 'ext2/3/4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0xf2f52010, 'f2fs'],
  [0xca451a4e, 'bcachefs'],
  [0x01021994, 'tmpfs'],
]);

/** Whether the file system of `type` (statfs's f_type) is one direct I/O is used on. */
export const directFs = (type: number | bigint) => LOCAL_FS.has(Number(type));

/**
 * `path` opened with O_DIRECT added to `flags`, or undefined where it is not (a file system not in
 * LOCAL_FS; EINVAL where direct I/O is refused; any other failure, the caller's buffered open reports).
 */
export function openDirect(path: string, flags: number): number | undefined {
  // Not every platform has it (constants.O_DIRECT is undefined outside Linux).
  if (!constants.O_DIRECT) return undefined;
  try {
    if (!directFs(statfsSync(path).type)) return undefined;
    return openSync(path, flags | constants.O_DIRECT);
  } catch {
    return undefined;
  }
}

/** Whether `err` is direct I/O refusing this buffer, offset or length (so the caller goes buffered). */
export const refused = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EINVAL';
