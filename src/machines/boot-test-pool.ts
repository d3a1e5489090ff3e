import { createReadStream, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isNotFound, type Libvirt, type StoragePool, type StorageVolume } from '../libvirt/index.js';
import { escapeXml } from '../xml/serialize.js';
import { volumeXml } from './volume-xml.js';

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

function lookupPool(lv: Libvirt): Promise<StoragePool | undefined> {
  return lv.pools.lookup(BOOT_TEST_POOL).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}

/**
 * The boot-test pool, running: defined when missing (another process defining it at the same time is
 * fine), and built (its directory made, harmless when it exists) and started when inactive.
 */
export async function bootTestPool(lv: Libvirt): Promise<StoragePool> {
  let pool = await lookupPool(lv);
  if (!pool) {
    const xml = `<pool type='dir'><name>${BOOT_TEST_POOL}</name><target><path>${escapeXml(await poolDir(lv))}</path></target></pool>`;
    pool = await lv.pools.define(xml).catch(async (err: unknown) => {
      const raced = await lookupPool(lv);
      if (raced) return raced;
      throw err;
    });
  }
  if (!(await pool.isActive())) {
    await pool.build();
    await pool.start().catch(async (err: unknown) => {
      if (!(await pool.isActive())) throw err;
    });
  }
  return pool;
}

/**
 * Uploads a local file as a new raw volume of `pool`. A failed upload deletes the volume again, so no
 * half-written volume stays behind.
 */
export async function uploadVolume(pool: StoragePool, name: string, file: string): Promise<StorageVolume> {
  const size = statSync(file).size;
  const vol = await pool.volumes.create(volumeXml(name, size));
  try {
    await vol.upload(createReadStream(file), { length: size });
    return vol;
  } catch (err) {
    await vol.delete().catch(() => undefined);
    throw err;
  }
}

/** The prefix of every boot-test volume name: only such volumes are ever swept. */
export const BOOT_TEST_VOLUME_PREFIX = 'boot-test-';
/** A boot test takes well under a minute; a volume this much older than a fresh one is a leftover. */
export const STALE_VOLUME_MS = 10 * 60 * 1000;

/** A volume's modification time in ms, from the `<timestamps>` of its XML (the host's clock). */
export function volumeMtimeMs(volumeXml: string): number | undefined {
  const m = /<mtime>(\d+)(?:\.(\d+))?<\/mtime>/.exec(volumeXml);
  return m ? Number(m[1]) * 1000 + Math.floor(Number(`0.${m[2] ?? '0'}`) * 1000) : undefined;
}

/**
 * Deletes boot-test volumes that a process which died (or lost its connection) mid-test left behind:
 * those last written more than STALE_VOLUME_MS before `fresh`, a volume just uploaded (so only the
 * host's own clock is compared). Best effort: a volume that cannot be read or deleted is skipped.
 */
export async function sweepStaleVolumes(pool: StoragePool, fresh: StorageVolume): Promise<string[]> {
  const now = volumeMtimeMs(await fresh.xml());
  if (now === undefined) return [];
  const swept: string[] = [];
  for (const vol of await pool.volumes.list()) {
    if (!vol.name.startsWith(BOOT_TEST_VOLUME_PREFIX) || vol.name === fresh.name) continue;
    const mtime = volumeMtimeMs(await vol.xml().catch(() => ''));
    if (mtime === undefined || now - mtime < STALE_VOLUME_MS) continue;
    if (
      await vol.delete().then(
        () => true,
        () => false,
      )
    )
      swept.push(vol.name);
  }
  return swept;
}
