/**
 * Tiny tmpfs mounts, for tests of a disk that fills: a pool over one has room for `mib` MiB only, and
 * `fillTmpfs` takes every free byte of it. Needs root (mount).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Libvirt, StoragePool } from '../../src/libvirt/index.js';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Mounts a tmpfs of `mib` MiB at `dir` (made if missing); the returned function unmounts it and removes `dir`. */
export function mountTmpfs(dir: string, mib: number): () => void {
  mkdirSync(dir, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', `size=${mib}M,mode=0755`, 'tmpfs', dir]);
  return () => {
    sh('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Writes `dir/name` until the filesystem under it has no byte left (the last write is a short one). */
export function fillTmpfs(dir: string, name = 'filler'): void {
  const chunk = Buffer.alloc(2 ** 20, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, name), chunk, { flag: i ? 'a' : 'w' });
    } catch {
      break;
    }
  }
}

/**
 * A transient dir pool `name` over a new tmpfs of `mib` MiB at `dir`; `remove()` destroys the pool,
 * unmounts the tmpfs and removes `dir`.
 */
export async function tmpfsPool(
  lv: Libvirt,
  name: string,
  dir: string,
  mib: number,
): Promise<{ pool: StoragePool; remove: () => Promise<void> }> {
  const unmount = mountTmpfs(dir, mib);
  try {
    const pool = await lv.pools.create(
      `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`,
    );
    return {
      pool,
      remove: async () => {
        await pool.destroy().catch(() => undefined);
        unmount();
      },
    };
  } catch (err) {
    unmount();
    throw err;
  }
}
