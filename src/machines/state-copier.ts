/**
 * How the files libvirt keeps beside a VM's disks (the UEFI variable store, the swtpm state) and the
 * copies snapshots keep of them are read and written: on this machine's file system for a local
 * connection, through the host's libvirt storage API for a remote one (state-copier-remote.ts).
 * Paths are the host's own. One small interface, so clone, snapshot and delete do not care which.
 */
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { isLocal, parseUri, type Libvirt } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { remoteStateCopier, StateFileMissingError } from './state-copier-remote.js';

export interface StateCopier {
  /** Whether the file or directory exists. */
  exists(path: string): Promise<boolean>;
  /**
   * Copies a file, or a directory with every file in it, to `to`, which must not exist (typed
   * `state-file-exists`, nothing touched). On failure nothing of `to` is left.
   */
  copy(from: string, to: string): Promise<void>;
  /** Removes a file or a directory with everything in it; a missing one is fine. */
  remove(path: string): Promise<void>;
  /** Creates the directory (mode 0700) and its missing parents; `state-file-exists` if it exists. */
  makeDir(path: string): Promise<void>;
  /** Renames within one directory, when the way has it (the local file system). */
  rename?(from: string, to: string): Promise<void>;
  /** A file's bytes (state files are small: KiB to a few MiB); `state-file-missing` if it is not there. */
  readFile(path: string): Promise<Buffer>;
  /**
   * Writes a new file (mode 0600) and its missing parent directories (0711: the file's user, QEMU
   * once libvirt has relabelled it, must reach it; nothing can list them); `state-file-exists`,
   * nothing touched, if it is there. On failure nothing of it is left.
   */
  writeFile(path: string, bytes: Buffer): Promise<void>;
  /** The regular files under `dir`, as paths relative to it, sorted; empty if it does not exist. */
  listFiles(dir: string): Promise<string[]>;
}

/** The copy's target is already there: nothing was copied, nothing touched. */
export class StateFileExistsError extends PhyllomeError {
  override name = 'StateFileExistsError';
  constructor(path: string) {
    super('state-file-exists', `${path} already exists, so it is not overwritten`, {
      hint: 'A file left by an earlier VM of that name or UUID: remove it if nothing uses it, then try again.',
    });
  }
}

/** The copier for the connection's host: the local file system for this machine, its libvirt otherwise. */
export function stateCopier(lv: Libvirt): StateCopier {
  return isLocal(parseUri(lv.requestedUri)) ? localStateCopier : remoteStateCopier(lv);
}

async function existsHere(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export const localStateCopier: StateCopier = {
  exists: existsHere,
  async copy(from, to) {
    if (await existsHere(to)) throw new StateFileExistsError(to);
    try {
      // Modes and times kept; libvirt fixes the owner at the next start.
      await cp(from, to, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false });
    } catch (err) {
      await rm(to, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  },
  async remove(path) {
    await rm(path, { recursive: true, force: true });
  },
  async makeDir(path) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await mkdir(path, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EEXIST' ? new StateFileExistsError(path) : err;
    });
  },
  async rename(from, to) {
    await rename(from, to);
  },
  async readFile(path) {
    return readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new StateFileMissingError(path, err) : err;
    });
  },
  async writeFile(path, bytes) {
    await mkdir(dirname(path), { recursive: true, mode: 0o711 });
    try {
      await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StateFileExistsError(path);
      await rm(path, { force: true }).catch(() => undefined);
      throw err;
    }
  },
  async listFiles(dir) {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      },
    );
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  },
};

/**
 * Replaces `target` (a file or directory) by a copy of `from`, or removes it when `from` is
 * undefined. The copy is made beside it first, so a failed copy leaves `target` as it was; then
 * `target` is replaced (a rename where the copier has one, otherwise a second copy on the same host).
 */
export async function restoreState(
  files: StateCopier,
  from: string | undefined,
  target: string,
): Promise<void> {
  if (from === undefined) return files.remove(target);
  const fresh = `${target}.phyllo-restore`;
  await files.remove(fresh);
  await files.copy(from, fresh);
  await files.remove(target);
  if (files.rename) await files.rename(fresh, target);
  else {
    await files.copy(fresh, target);
    await files.remove(fresh);
  }
}
