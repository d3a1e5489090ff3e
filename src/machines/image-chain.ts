import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { child, type XmlNode } from '../xml/node.js';

/** One image of a disk's backing chain, the disk's own image first. */
export interface ChainImage {
  path: string;
  format?: string;
  /** Bytes the image takes on its storage (qemu-img's actual-size / libvirt's allocation). */
  allocationBytes?: number;
  /** The virtual size in bytes. */
  capacityBytes?: number;
}

interface QemuImgInfo {
  filename: string;
  format?: string;
  'virtual-size'?: number;
  'actual-size'?: number;
}

/**
 * The backing chain of an image on this machine: `qemu-img info --backing-chain` (-U: readable while a
 * running VM holds the image). undefined when qemu-img cannot read it (missing file, no qemu-img).
 */
export async function localBackingChain(path: string): Promise<ChainImage[] | undefined> {
  try {
    const { stdout } = await promisify(execFile)(
      'qemu-img',
      ['info', '--backing-chain', '--output=json', '-U', path],
      { timeout: 30_000, maxBuffer: 4 << 20 },
    );
    const parsed = JSON.parse(stdout) as QemuImgInfo[] | QemuImgInfo;
    return (Array.isArray(parsed) ? parsed : [parsed]).map((i) => ({
      path: i.filename,
      ...(i.format ? { format: i.format } : {}),
      ...(i['actual-size'] === undefined ? {} : { allocationBytes: i['actual-size'] }),
      ...(i['virtual-size'] === undefined ? {} : { capacityBytes: i['virtual-size'] }),
    }));
  } catch {
    return undefined;
  }
}

/** The chain a running domain's live XML names (`<backingStore>` under each disk), the disk's own image first. */
export function xmlBackingChain(disk: XmlNode): ChainImage[] {
  const chain: ChainImage[] = [];
  let node: XmlNode | undefined = disk;
  while (node) {
    const src = child(node, 'source');
    const path = src?.attrs.file ?? src?.attrs.dev ?? src?.attrs.name;
    if (!path) break;
    const format = child(node, 'format')?.attrs.type ?? child(node, 'driver')?.attrs.type;
    chain.push({ path, ...(format ? { format } : {}) });
    node = child(node, 'backingStore');
  }
  return chain;
}

const QCOW2_MAGIC = 0x514649fb;

/** The backing file a qcow2 header names (resolved against the image's folder), or undefined. */
export async function qcow2BackingFile(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const head = Buffer.alloc(20);
    const { bytesRead } = await fh.read(head, 0, 20, 0);
    if (bytesRead < 20 || head.readUInt32BE(0) !== QCOW2_MAGIC) return undefined;
    const offset = Number(head.readBigUInt64BE(8));
    const size = head.readUInt32BE(16);
    if (offset === 0 || size === 0 || size > 4096) return undefined;
    const name = Buffer.alloc(size);
    await fh.read(name, 0, size, offset);
    return resolve(dirname(path), name.toString('utf8'));
  } finally {
    await fh.close();
  }
}
