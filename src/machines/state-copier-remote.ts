/**
 * State files on a remote host, through its libvirt: libvirt has no API for NVRAM or swtpm files,
 * but a transient `dir` storage pool over any directory shows its files (and subdirectories) as
 * volumes. A file is copied byte for byte by downloading the source volume (virStorageVolDownload)
 * and uploading it into a new raw volume of its size (virStorageVolCreateXML + virStorageVolUpload),
 * with the source's permissions; a directory is a pool of its own, made by the pool's build
 * (VIR_STORAGE_POOL_CREATE_WITH_BUILD, which makes the missing parents too). Deleting a volume
 * removes the file (rmdir for a directory volume). The pools are named phyllo-state-TIME-RANDOM and
 * destroyed when the operation ends, which leaves the files.
 *
 * libvirt refuses a second pool over a directory another pool has ("Storage source conflict"). A
 * pool of the user's over it is borrowed (refreshed, never destroyed); a phyllo-state pool over it is
 * another operation's, waited for, unless it is older than `STALE_POOL_MS` — left by a crash — and
 * then destroyed, so a crash never blocks the next run.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import {
  ErrorCode,
  hasLibvirtCode,
  isNotFound,
  PoolCreateFlags,
  type Libvirt,
  type StoragePool,
  type StorageVolume,
} from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { escapeXml } from '../xml/serialize.js';
import { parseXml } from '../xml/parse.js';
import { child, textOf } from '../xml/node.js';
import { StateFileExistsError, type StateCopier } from './state-copier.js';
import { volumeXml } from './volume-xml.js';

export const STATE_POOL_PREFIX = 'phyllo-state-';
/** A phyllo-state pool this old is a crash's leftover: an operation holds one for seconds. */
export const STALE_POOL_MS = 2 * 60_000;
/** How long to wait for another operation's pool over the same directory (a hang guard). */
const BUSY_LIMIT_MS = 5 * 60_000;
/** The largest state file copied (they are KiB to a few MiB): held in memory between the streams. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** The file or directory to copy is not on the host. */
export class StateFileMissingError extends PhyllomeError {
  override name = 'StateFileMissingError';
  constructor(path: string, cause?: unknown) {
    super(
      'state-file-missing',
      `${path} does not exist on the VM's host`,
      cause === undefined ? {} : { cause },
    );
  }
}

/** A pool name no other run picks, with the time it was made (to tell a crash's leftover). */
export function statePoolName(now = Date.now()): string {
  return `${STATE_POOL_PREFIX}${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Whether the pool is a phyllo-state pool made more than `STALE_POOL_MS` before `now`. */
export function isStaleStatePool(name: string, now = Date.now()): boolean {
  const m = new RegExp(`^${STATE_POOL_PREFIX}([0-9a-z]+)-[0-9a-f]+$`).exec(name);
  if (!m) return false;
  const made = parseInt(m[1]!, 36);
  return Number.isFinite(made) && now - made > STALE_POOL_MS;
}

/** The transient pool's XML: a `dir` pool over `path`; one a build makes gets `buildMode` (octal). */
export function statePoolXml(name: string, path: string, buildMode?: number): string {
  const perms =
    buildMode === undefined
      ? ''
      : `<permissions><mode>${buildMode.toString(8).padStart(4, '0')}</mode></permissions>`;
  return `<pool type='dir'><name>${escapeXml(name)}</name><target><path>${escapeXml(path)}</path>${perms}</target></pool>`;
}

/** The `<permissions>` of a volume's XML (its mode, owner and group; not the label), as XML. */
export function volumePermissions(volXml: string): string | undefined {
  const perms = child(child(parseXml(volXml), 'target'), 'permissions');
  if (!perms) return undefined;
  const parts = ['mode', 'owner', 'group']
    .map((tag) => [tag, textOf(perms, tag)?.trim()])
    .filter(([, v]) => v && /^[0-9]+$/.test(v))
    .map(([tag, v]) => `<${tag}>${v}</${tag}>`);
  return parts.length ? `<permissions>${parts.join('')}</permissions>` : undefined;
}

/** The target path of a pool's XML. */
export function poolTargetPath(poolXml: string): string | undefined {
  return child(child(parseXml(poolXml), 'target'), 'path')?.text;
}

/** Starting a pool over a directory that does not exist fails with the system's ENOENT. */
function isMissingDir(err: unknown): boolean {
  return hasLibvirtCode(err, ErrorCode.SYSTEM_ERROR) && /No such file or directory/.test(String(err));
}

interface Opened {
  pool: StoragePool;
  /** Made by this session (destroyed at its end), not a pool of the user's it borrowed. */
  owned: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pools one operation uses, one per directory, destroyed (the ones it made) at `close`. */
class PoolSession {
  /** Promises, so two lookups in one directory at once open one pool. */
  private readonly pools = new Map<string, Promise<Opened | undefined>>();
  constructor(private readonly lv: Libvirt) {}

  /**
   * The pool over `dir`, or undefined when `dir` does not exist (made, with parents, when `build`:
   * mode `mode`, 0700 unless told).
   */
  async pool(dir: string, build = false, mode = 0o700): Promise<StoragePool | undefined> {
    let opening = this.pools.get(dir);
    if (opening && build && !(await opening)) opening = undefined;
    if (!opening) {
      opening = this.open(dir, build, mode);
      this.pools.set(dir, opening);
    }
    return (await opening)?.pool;
  }

  /** Like `pool`, refreshed when it was opened earlier (this session may have changed the directory). */
  private async current(dir: string): Promise<StoragePool | undefined> {
    const opening = this.pools.get(dir);
    const before = opening ? await opening.catch(() => undefined) : undefined;
    // Missing before (or failed): maybe made since, as the parent of a built directory.
    if (opening && !before) this.pools.delete(dir);
    const pool = await this.pool(dir);
    if (before && pool) await pool.refresh();
    return pool;
  }

  private async open(dir: string, build: boolean, mode: number): Promise<Opened | undefined> {
    const since = Date.now();
    let withBuild = false;
    for (;;) {
      try {
        const xml = statePoolXml(statePoolName(), dir, withBuild ? mode : undefined);
        const flags = withBuild ? PoolCreateFlags.WITH_BUILD : PoolCreateFlags.NORMAL;
        return { pool: await this.lv.pools.create(xml, flags), owned: true };
      } catch (err) {
        if (isMissingDir(err) && !withBuild) {
          if (!build) return undefined;
          withBuild = true;
          continue;
        }
        const other = await this.poolAt(dir);
        if (!other) throw err;
        if (!other.name.startsWith(STATE_POOL_PREFIX)) {
          await other.refresh();
          return { pool: other, owned: false };
        }
        if (isStaleStatePool(other.name)) {
          await other.destroy().catch((e: unknown) => {
            if (!isNotFound(e)) throw e;
          });
          continue;
        }
        if (Date.now() - since > BUSY_LIMIT_MS) throw err;
        await sleep(250);
      }
    }
  }

  /** The active pool whose target is `dir` (what a "source conflict" names). */
  private async poolAt(dir: string): Promise<StoragePool | undefined> {
    for (const p of await this.lv.pools.list()) {
      const xml = await p.xml().catch(() => '');
      if (xml && poolTargetPath(xml) === dir && (await p.isActive().catch(() => false))) return p;
    }
    return undefined;
  }

  /** Destroys the pool over `dir` now, if this session made it. */
  async release(dir: string): Promise<void> {
    const had = await this.pools.get(dir)?.catch(() => undefined);
    this.pools.delete(dir);
    if (had?.owned) await had.pool.destroy();
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const dir of [...this.pools.keys()].reverse()) await this.release(dir).catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }

  /** The volume at `path`, or undefined when it (or its directory) does not exist. */
  async entry(path: string): Promise<StorageVolume | undefined> {
    const pool = await this.current(dirname(path));
    if (!pool) return undefined;
    return pool.volumes.lookup(basename(path)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  }
}

async function session<T>(lv: Libvirt, fn: (s: PoolSession) => Promise<T>): Promise<T> {
  const s = new PoolSession(lv);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function isDir(vol: StorageVolume): Promise<boolean> {
  return (await vol.info()).type === 'dir';
}

async function readAll(vol: StorageVolume): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of await vol.download()) {
    size += (c as Buffer).length;
    if (size > MAX_FILE_BYTES) throw new Error(`${vol.name} is larger than ${MAX_FILE_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Copies the file volume `src` to `to` (absent); the new volume is deleted if the copy fails. */
async function copyFile(s: PoolSession, src: StorageVolume, to: string): Promise<void> {
  const pool = (await s.pool(dirname(to), true))!;
  const [bytes, xml] = await Promise.all([readAll(src), src.xml()]);
  const vol = await pool.volumes.create(
    volumeXml(basename(to), bytes.length, { permissions: volumePermissions(xml) }),
  );
  try {
    if (bytes.length > 0) await vol.upload(bytes);
  } catch (err) {
    await vol.delete().catch(() => undefined);
    throw err;
  }
}

/** Copies every file of the directory `from` (recursively) into the new directory `to`. */
async function copyDir(s: PoolSession, from: string, to: string): Promise<void> {
  const src = await s.pool(from);
  if (!src) throw new StateFileMissingError(from);
  await s.pool(to, true);
  for (const vol of await src.volumes.list()) {
    if (await isDir(vol)) await copyDir(s, join(from, vol.name), join(to, vol.name));
    else await copyFile(s, vol, join(to, vol.name));
  }
}

/** Removes the volume at `path`: a directory's volumes first, then the directory itself. */
async function removeEntry(s: PoolSession, path: string): Promise<void> {
  const vol = await s.entry(path);
  if (!vol) return;
  if (await isDir(vol)) {
    const pool = await s.pool(path);
    await pool?.refresh();
    for (const v of (await pool?.volumes.list()) ?? []) {
      if (await isDir(v)) await removeEntry(s, join(path, v.name));
      else await v.delete();
    }
    await s.release(path);
  }
  await vol.delete();
}

/** Every file under the directory `dir` (recursively), as paths relative to `root`. */
async function listUnder(s: PoolSession, dir: string, root: string): Promise<string[]> {
  const pool = await s.pool(dir);
  if (!pool) return [];
  const out: string[] = [];
  for (const vol of await pool.volumes.list()) {
    const path = join(dir, vol.name);
    if (await isDir(vol)) out.push(...(await listUnder(s, path, root)));
    else out.push(path.slice(root.length + 1));
  }
  return out;
}

export function remoteStateCopier(lv: Libvirt): StateCopier {
  return {
    exists: (path) => session(lv, async (s) => (await s.entry(path)) !== undefined),
    copy: (from, to) =>
      session(lv, async (s) => {
        const [src, dst] = await Promise.all([s.entry(from), s.entry(to)]);
        if (!src) throw new StateFileMissingError(from);
        if (dst) throw new StateFileExistsError(to);
        try {
          if (await isDir(src)) await copyDir(s, from, to);
          else await copyFile(s, src, to);
        } catch (err) {
          await s.release(to).catch(() => undefined);
          await removeEntry(s, to).catch(() => undefined);
          throw err;
        }
      }),
    remove: (path) => session(lv, (s) => removeEntry(s, path)),
    makeDir: (path) =>
      session(lv, async (s) => {
        if (await s.entry(path)) throw new StateFileExistsError(path);
        await s.pool(path, true);
      }),
    readFile: (path) =>
      session(lv, async (s) => {
        const vol = await s.entry(path);
        if (!vol || (await isDir(vol))) throw new StateFileMissingError(path);
        return readAll(vol);
      }),
    writeFile: (path, bytes) =>
      session(lv, async (s) => {
        if (await s.entry(path)) throw new StateFileExistsError(path);
        // 0711, as Debian makes libvirt's own directories: QEMU (another user) must reach a kernel here.
        const pool = (await s.pool(dirname(path), true, 0o711))!;
        const vol = await pool.volumes.create(
          volumeXml(basename(path), bytes.length, { permissions: 0o600 }),
        );
        try {
          if (bytes.length > 0) await vol.upload(bytes);
        } catch (err) {
          await vol.delete().catch(() => undefined);
          throw err;
        }
      }),
    listFiles: (dir) => session(lv, async (s) => (await listUnder(s, dir, dir)).filter(Boolean).sort()),
  };
}
