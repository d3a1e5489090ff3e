/**
 * What `vm list` learnt of each shut-off VM, remembered between runs: its OS and its stats. The OS is in
 * each domain's metadata, one call per VM; the stats (vCPUs, memory, disk use) come from the
 * all-domain stats call, whose answer for 200 shut-off VMs takes the daemon 6–12 ms to gather and a
 * fresh process ~4 ms to decode. Yet a shut-off VM's OS, vCPUs and memory change only when its
 * persistent definition does, and libvirt rewrites that definition's file (`/etc/libvirt/qemu/NAME.xml`
 * for `qemu:///system`, `~/.config/libvirt/qemu/NAME.xml` for `qemu:///session`) on every such
 * change: a new file under the same name, so a new inode and modification time. Its disk use changes
 * only with its disk files, which cannot change without their size or modification time. So a VM that
 * is shut off and whose definition's file is the very file seen last time (inode, size and mtime) has
 * the OS seen last time; if each of its disks is also the very file seen then, the stats seen then.
 * Any other VM is asked, as before. Checking needs only `stat`, which works without read access.
 *
 * libvirt writes a definition only by renaming a new file over the old one, which changes the mtime of
 * the directory. So when the directory is the one seen last time (inode and mtime), every definition
 * file in it is too, and the keys seen then are taken without a `stat` each (1.6 ms for 200 VMs in a
 * fresh process). The directory's key is trusted only when its mtime was at least `MTIME_LAG_MS` old
 * when it was read: a rename within the same clock tick would otherwise leave it the same.
 *
 * Only those two URIs, exactly: a daemon with another socket or on another host keeps its files
 * elsewhere (or out of reach), so every VM is asked. A running VM is always asked: its live metadata
 * can differ from the file, and its disks change as it runs. Stats are remembered only where every
 * disk with a path is a regular file (a block device's size can change under the same node) last
 * modified before the stats were asked for (a write during the call would otherwise be missed). Any
 * problem with the cache file falls back to asking.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Domain } from '../libvirt/index.js';
import { phyllomeCacheDir } from '../host/cache-dir.js';

/** Where the daemon behind `uri` keeps its persistent domain definitions, when it is one we know. */
export function domainConfigDir(uri: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (uri === 'qemu:///system') return '/etc/libvirt/qemu';
  if (uri === 'qemu:///session') {
    const xdg = env.XDG_CONFIG_HOME;
    return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'libvirt', 'qemu');
  }
  return undefined;
}

/** A stats record's values as JSON keeps them (libvirt's 64-bit counters as numbers). */
export type StatsValues = Record<string, number | string>;

/** The entry under which the cache file keeps the directory's key (a UUID never looks like it). */
const DIR_ENTRY = '#dir';

interface Seen {
  /** inode:size:mtime of the definition's file when the VM was asked. */
  file: string;
  os?: string | null;
  /** The stats, and each disk's file key at the time (by path). */
  stats?: { values: StatsValues; disks: Record<string, string> };
}

export interface ShutoffVmCacheOptions {
  /** Default: from the URI (`domainConfigDir`). */
  configDir?: string | undefined;
  /** Default: the user's Phyllome cache dir. */
  cacheDir?: string;
}

export interface ShutoffVmCache {
  /** Whether this connection's VMs can be remembered at all (one of the two local daemons). */
  readonly enabled: boolean;
  /** The VM's OS: remembered when its definition's file is unchanged and it is shut off, else asked. */
  osOf(dom: Domain): Promise<string | null>;
  /** The VM's OS when it is remembered (as `osOf` would answer it without asking); else undefined. */
  knownOs(dom: Domain): string | null | undefined;
  /** The stats seen last time, when the VM is shut off and neither its definition nor a disk changed. */
  statsOf(dom: Domain): StatsValues | undefined;
  /** Remembers the stats of a shut-off VM, asked for at `askedAtMs` (wall clock), where they can be. */
  rememberStats(dom: Domain, values: Record<string, unknown>, askedAtMs: number): void;
  /** Writes what was learnt (only the VMs looked up this time), if anything changed. */
  save(): void;
  /** How many OS lookups the cache answered (for tests). */
  readonly hits: number;
  /** How many definition files were looked at with `stat` (for tests). */
  readonly definitionStats: number;
}

/**
 * The file's identity: inode, size and mtime (ms, with its fraction: µs here). Not the ns of a bigint
 * stat, which takes twice as long (1.4 ms more for 200 VMs); a rewrite is a new inode anyway.
 */
function fileKey(path: string, modifiedBefore = Infinity): string | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() && st.mtimeMs < modifiedBefore ? `${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A directory's identity (inode and mtime), when it was last changed before `modifiedBefore` (wall
 * clock, ms); else undefined (not to be trusted: see the top of this file).
 */
function dirKey(path: string, modifiedBefore: number): string | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isDirectory() && st.mtimeMs < modifiedBefore ? `${st.ino}:${st.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How far a file's mtime may lag the wall clock: the kernel stamps files from a clock that advances
 * once a tick (1–10 ms), so a write just after `Date.now()` can carry a slightly earlier time.
 */
const MTIME_LAG_MS = 100;

const SHUT_OFF = 5;

/** The definitions' directory the cache checks for `uri` (`opts.configDir` if given); none: no cache. */
function configDirOf(uri: string, opts: ShutoffVmCacheOptions): string | undefined {
  return ('configDir' in opts ? opts.configDir : domainConfigDir(uri)) || undefined;
}

/** Whether the VMs of the connection `uri` can be remembered (`ShutoffVmCache.enabled`), without reading the cache. */
export function shutoffCacheApplies(uri: string, opts: ShutoffVmCacheOptions = {}): boolean {
  return configDirOf(uri, opts) !== undefined;
}

/** A lookup for the VMs of the connection `uri`, asking each with `ask` when the cache cannot answer. */
export function shutoffVmCache(
  uri: string,
  ask: (dom: Domain) => Promise<string | null>,
  opts: ShutoffVmCacheOptions = {},
): ShutoffVmCache {
  const configDir = configDirOf(uri, opts);
  if (!configDir) {
    const noop = () => undefined;
    return {
      enabled: false,
      osOf: ask,
      knownOs: noop,
      statsOf: noop,
      rememberStats: noop,
      save: noop,
      hits: 0,
      definitionStats: 0,
    };
  }
  const cacheDir = opts.cacheDir ?? phyllomeCacheDir();
  // A name has no '/' (libvirt refuses one): the path is the directory and the name, without join's work.
  const dir = configDir.endsWith('/') ? configDir : `${configDir}/`;
  // One file per daemon (system, session; no hash of the URI: loading node:crypto alone costs 2.7 ms).
  const daemon = uri.replace(/^qemu:\/\/\//, '').replace(/[^a-z0-9]/gi, '_');
  const path = join(cacheDir, `shutoff-vms-${daemon}.json`);
  let before: Record<string, Seen> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object') before = parsed as Record<string, Seen>;
  } catch {
    // none yet, or unreadable: every VM is asked
  }
  const now: Record<string, Seen> = {};
  // The directory now, and whether it is the one seen last time (then so is every file in it).
  const dirNow = dirKey(configDir, Date.now() - MTIME_LAG_MS);
  if (dirNow) now[DIR_ENTRY] = { file: dirNow };
  const dirSame = dirNow !== undefined && before[DIR_ENTRY]?.file === dirNow;
  let changed = before[DIR_ENTRY]?.file !== dirNow;
  let definitionStats = 0;
  const definitionKey = (dom: Domain): string | undefined => {
    const last = dirSame ? before[dom.uuid]?.file : undefined;
    if (last) return last;
    definitionStats++;
    return fileKey(`${dir}${dom.name}.xml`);
  };
  /** Each shut-off VM's definition key, taken once per run, before anything is asked. */
  const keys = new Map<string, string | undefined>();
  const keyOf = (dom: Domain) => {
    if (!keys.has(dom.uuid)) keys.set(dom.uuid, dom.id === -1 ? definitionKey(dom) : undefined);
    return keys.get(dom.uuid);
  };
  /** This run's entry for a VM whose definition is `file`: what was seen before under the same file. */
  const entry = (uuid: string, file: string): Seen => {
    let e = now[uuid];
    if (!e || e.file !== file) {
      const last = before[uuid];
      e = now[uuid] = last && last.file === file ? { ...last } : { file };
    }
    return e;
  };
  let hits = 0;
  const knownOs = (dom: Domain): string | null | undefined => {
    const file = keyOf(dom);
    const last = file ? entry(dom.uuid, file) : undefined;
    if (!last || (typeof last.os !== 'string' && last.os !== null)) return undefined;
    hits++;
    return last.os;
  };
  return {
    enabled: true,
    get hits() {
      return hits;
    },
    get definitionStats() {
      return definitionStats;
    },
    knownOs,
    async osOf(dom) {
      const known = knownOs(dom);
      if (known !== undefined) return known;
      // Taken before asking: a change after this stat gives the file a new key, so it is asked again next time.
      const file = keyOf(dom);
      const last = file ? entry(dom.uuid, file) : undefined;
      const os = await ask(dom);
      if (last) {
        last.os = os;
        changed = true;
      }
      return os;
    },
    statsOf(dom) {
      const file = keyOf(dom);
      const stats = file ? entry(dom.uuid, file).stats : undefined;
      if (!stats || typeof stats.values !== 'object' || typeof stats.disks !== 'object') return undefined;
      for (const [disk, key] of Object.entries(stats.disks)) if (fileKey(disk) !== key) return undefined;
      return stats.values;
    },
    rememberStats(dom, values, askedAtMs) {
      const file = keyOf(dom);
      if (!file || values['state.state'] !== SHUT_OFF) return;
      const e = entry(dom.uuid, file);
      delete e.stats;
      changed = true;
      const kept: StatsValues = {};
      for (const [k, v] of Object.entries(values)) {
        if (typeof v === 'bigint') kept[k] = Number(v);
        else if (typeof v === 'number' || typeof v === 'string') kept[k] = v;
      }
      const disks: Record<string, string> = {};
      for (let i = 0; i < (Number(kept['block.count']) || 0); i++) {
        const p = kept[`block.${i}.path`];
        if (typeof p !== 'string') continue;
        const key = fileKey(p, askedAtMs - MTIME_LAG_MS);
        if (!key) return;
        disks[p] = key;
      }
      e.stats = { values: kept, disks };
    },
    save() {
      // VMs gone since last time are dropped; a list of some VMs only (`only`) would drop the others.
      if (!changed && Object.keys(now).length === Object.keys(before).length) return;
      try {
        mkdirSync(cacheDir, { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(now));
        renameSync(tmp, path);
        // What the OS-only cache of earlier versions left (vm-os-DAEMON.json): nothing reads it now.
        rmSync(join(cacheDir, `vm-os-${daemon}.json`), { force: true });
      } catch {
        // a read-only home only costs the calls next time
      }
    },
  };
}
