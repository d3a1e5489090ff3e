/**
 * The one check of the paths options name (`--iso`, `--drivers`, `--kernel`, `--initrd`,
 * `--disk-image`, `--serial-log`), before the model writes them into the domain XML.
 *
 * - Local connection: each path is made absolute (relative to the working directory; libvirt would
 *   resolve it against its own) and must be the right kind of file: an ISO 9660 / UDF image for
 *   `--iso`/`--drivers`, a non-empty regular file for `--kernel`/`--initrd`, a regular file or block
 *   device for `--disk-image` whose qcow2 signature agrees with its name (the model opens `*.qcow2`
 *   as qcow2 and anything else raw), and for `--serial-log` a path that is not a directory, in a
 *   directory that exists.
 * - Remote connection: the paths name files on THAT host. Each must be a storage volume there, given
 *   by its path or as `POOL/VOLUME`; the checks above are made through libvirt (volume type, format,
 *   the ISO signature read with a ranged download). `--serial-log` is written by QEMU there, so it
 *   only has to be absolute.
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNotFound, type Libvirt, type StorageVolume } from '../libvirt/index.js';
import { MissingFileError } from '../model/errors.js';
import { kebab, type ModelOptions } from '../model/options.js';
import { InvalidFileError, RemoteFileNotInPoolError } from './errors.js';

export type PathOption = 'iso' | 'drivers' | 'kernel' | 'initrd' | 'diskImage' | 'serialLog';
const PATH_OPTIONS: readonly PathOption[] = ['iso', 'drivers', 'kernel', 'initrd', 'diskImage', 'serialLog'];

/** ISO 9660's "CD001" (UDF's volume recognition starts with "BEA01") at byte 32769. */
export const ISO_SIGNATURE_OFFSET = 32769;
const ISO_SIGNATURES = ['CD001', 'BEA01'];
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"

export type PathTarget =
  { kind: 'local'; cwd?: string } | { kind: 'remote'; lv: Libvirt; host: string; uri: string };

function flag(option: PathOption): string {
  return `--${kebab(option)}`;
}

/** Up to `length` bytes of a local file from `offset`. */
export function readAt(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, length, offset));
  } finally {
    closeSync(fd);
  }
}

const isIso = (head: Buffer): boolean => ISO_SIGNATURES.includes(head.toString('latin1'));

/** The qcow2-or-raw rule the model applies by name, checked against what the image is. */
function checkFormat(option: string, path: string, isQcow2: boolean): void {
  const named = path.endsWith('.qcow2');
  if (named && !isQcow2)
    throw new InvalidFileError(
      option,
      path,
      'is named .qcow2 but is not a qcow2 image',
      'Give a qcow2 image, or rename a raw image so its name does not end in .qcow2 (it is then used as raw).',
    );
  if (!named && isQcow2)
    throw new InvalidFileError(
      option,
      path,
      'is a qcow2 image, but its name does not end in .qcow2, so it would be opened as raw',
      'Rename it to end in .qcow2.',
    );
}

function checkLocal(option: PathOption, path: string): void {
  const f = flag(option);
  if (option === 'serialLog') {
    const dir = statOrUndefined(dirname(path));
    if (!dir?.isDirectory())
      throw new InvalidFileError(
        f,
        path,
        `is in ${dirname(path)}, which is not an existing directory`,
        'Create the directory first, or log elsewhere.',
      );
    if (statOrUndefined(path)?.isDirectory())
      throw new InvalidFileError(
        f,
        path,
        'is a directory',
        'Give the path of a log file, e.g. DIR/serial.log.',
      );
    return;
  }
  const st = statOrUndefined(path);
  if (!st) throw new MissingFileError(f, path);
  if (st.isDirectory())
    throw new InvalidFileError(f, path, 'is a directory, not a file', `Give the path of the file itself.`);
  const block = option === 'diskImage' && st.isBlockDevice();
  if (!st.isFile() && !block)
    throw new InvalidFileError(f, path, 'is not a regular file', 'Give the path of a regular file.');
  if (option === 'iso' || option === 'drivers') {
    if (!isIso(readAt(path, ISO_SIGNATURE_OFFSET, 5)))
      throw new InvalidFileError(
        f,
        path,
        `is not an ISO image (no ISO 9660 or UDF signature at byte ${ISO_SIGNATURE_OFFSET})`,
        option === 'drivers' ? 'Give the virtio-win driver ISO.' : 'Give the installer ISO image.',
      );
  } else if (option === 'kernel' || option === 'initrd') {
    if (st.size === 0) throw new InvalidFileError(f, path, 'is empty', `Give the ${option} file itself.`);
  } else if (option === 'diskImage') {
    checkFormat(f, path, readAt(path, 0, 4).equals(QCOW2_MAGIC));
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The storage volume a path (or POOL/VOLUME) names; undefined when there is none. */
export async function lookupVolume(lv: Libvirt, path: string): Promise<StorageVolume | undefined> {
  const notFound = (err: unknown): undefined => {
    if (isNotFound(err)) return undefined;
    throw err;
  };
  if (isAbsolute(path)) return lv.volumes.lookupByPath(path).catch(notFound);
  const m = /^([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  return lv.pools
    .lookup(m[1] as string)
    .then((pool) => pool.volumes.lookup(m[2] as string))
    .catch(notFound);
}

/** Up to `length` bytes of a storage volume from `offset`, through a ranged download (empty when unreadable). */
export async function volumeHead(vol: StorageVolume, offset: number, length: number): Promise<Buffer> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of await vol.download({ offset, length })) chunks.push(c as Buffer);
    return Buffer.concat(chunks).subarray(0, length);
  } catch {
    return Buffer.alloc(0); // shorter than that, or not readable: not the signature
  }
}

/** Checks one path on a remote host and returns the volume's path there. */
async function checkRemote(
  option: PathOption,
  path: string,
  t: Extract<PathTarget, { kind: 'remote' }>,
): Promise<string> {
  const f = flag(option);
  if (option === 'serialLog') {
    if (!isAbsolute(path))
      throw new InvalidFileError(
        f,
        path,
        `is relative, but it names a file on ${t.host}`,
        `Give its absolute path on ${t.host}.`,
      );
    return path;
  }
  const vol = await lookupVolume(t.lv, path);
  if (!vol) throw new RemoteFileNotInPoolError(f, path, t.host, t.uri);
  const [info, xml, volPath] = await Promise.all([vol.info(), vol.xml(), vol.path()]);
  if (info.type === 'dir')
    throw new InvalidFileError(
      f,
      path,
      `is a directory on ${t.host}, not a file`,
      'Give the path of the file itself.',
    );
  if (option === 'iso' || option === 'drivers') {
    if (!isIso(await volumeHead(vol, ISO_SIGNATURE_OFFSET, 5)))
      throw new InvalidFileError(
        f,
        path,
        `is not an ISO image on ${t.host} (no ISO 9660 or UDF signature at byte ${ISO_SIGNATURE_OFFSET})`,
        'Upload the ISO image itself.',
      );
  } else if (option === 'kernel' || option === 'initrd') {
    if (info.capacity === 0n)
      throw new InvalidFileError(f, path, `is empty on ${t.host}`, `Upload the ${option} file itself.`);
  } else if (option === 'diskImage') {
    checkFormat(f, volPath, /<format type=['"]qcow2['"]/.test(xml));
  }
  return volPath;
}

/**
 * Returns the options with every path option checked and made absolute (local) or resolved to its
 * volume's path (remote); throws a typed error naming the option otherwise.
 */
export async function checkOptionPaths(options: ModelOptions, target: PathTarget): Promise<ModelOptions> {
  const out: ModelOptions = { ...options };
  const given = PATH_OPTIONS.filter((k) => options[k] !== undefined);
  if (target.kind === 'local') {
    for (const k of given) {
      const abs = resolve(target.cwd ?? process.cwd(), options[k] as string);
      checkLocal(k, abs);
      out[k] = abs;
    }
    return out;
  }
  const paths = await Promise.all(given.map((k) => checkRemote(k, options[k] as string, target)));
  given.forEach((k, i) => (out[k] = paths[i] as string));
  return out;
}
