import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"

/**
 * The backing file named in a local qcow2 image's header (resolved against the image's folder, as
 * QEMU does), or undefined for an image without one, or one that is not qcow2 or cannot be read.
 */
export function qcow2BackingFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(20);
    if (readSync(fd, header, 0, 20, 0) < 20 || header.readUInt32BE(0) !== QCOW2_MAGIC) return undefined;
    const offset = header.readBigUInt64BE(8);
    const size = header.readUInt32BE(16);
    if (offset === 0n || size === 0 || size > 1023) return undefined;
    const name = Buffer.alloc(size);
    readSync(fd, name, 0, size, Number(offset));
    const file = name.toString('utf8');
    return isAbsolute(file) ? file : resolve(dirname(path), file);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
