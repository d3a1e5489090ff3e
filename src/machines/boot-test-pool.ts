import { createReadStream, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isNotFound, type Libvirt, type StoragePool, type StorageVolume } from '../libvirt/index.js';
import { escapeXml } from '../model/xml/serialize.js';

/** Phyllome's own pool for the remote boot test's kernel and initramfs. */
export const BOOT_TEST_POOL = 'phyllome-boot-test';
/** Its directory on a system daemon. */
export const SYSTEM_BOOT_TEST_DIR = '/var/lib/libvirt/phyllome-boot-test';
/** Its directory below the home of a session daemon's user (beside libvirt's own `images`). */
const SESSION_BOOT_TEST_SUBDIR = '.local/share/libvirt/phyllome-boot-test';

/**
 * Where the pool goes when it does not exist yet: /var/lib/libvirt/phyllome-boot-test on a system
 * daemon; on a session daemon beside its `default` pool (`~/.local/share/libvirt/images`, in the
 * daemon's user's home), else below this user's home (a local session daemon's).
 */
async function poolDir(lv: Libvirt): Promise<string> {
  if (!(await lv.uri()).endsWith('/session')) return SYSTEM_BOOT_TEST_DIR;
  const fallback = join(homedir(), SESSION_BOOT_TEST_SUBDIR);
  const defaultPool = await lv.pools.lookup('default').catch(() => undefined);
  const path = defaultPool ? /<path>([^<]+)<\/path>/.exec(await defaultPool.xml())?.[1] : undefined;
  return path?.startsWith('/') ? join(dirname(path), 'phyllome-boot-test') : fallback;
}

/** The boot-test pool, running: defined, built and started when missing or stopped. */
export async function bootTestPool(lv: Libvirt): Promise<StoragePool> {
  let pool = await lv.pools.lookup(BOOT_TEST_POOL).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!pool) {
    const dir = await poolDir(lv);
    pool = await lv.pools.define(
      `<pool type='dir'><name>${BOOT_TEST_POOL}</name><target><path>${escapeXml(dir)}</path></target></pool>`,
    );
    await pool.build();
  }
  if (!(await pool.isActive())) await pool.start();
  return pool;
}

/**
 * Uploads a local file as a new raw volume of `pool`. A failed upload deletes the volume again, so no
 * half-written volume stays behind.
 */
export async function uploadVolume(pool: StoragePool, name: string, file: string): Promise<StorageVolume> {
  const size = statSync(file).size;
  const vol = await pool.volumes.create(
    `<volume type='file'><name>${escapeXml(name)}</name><capacity unit='bytes'>${size}</capacity>` +
      `<target><format type='raw'/></target></volume>`,
  );
  try {
    await vol.upload(createReadStream(file), { length: size });
    return vol;
  } catch (err) {
    await vol.delete().catch(() => undefined);
    throw err;
  }
}
