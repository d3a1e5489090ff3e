/**
 * The OS of each VM, remembered between `vm list` runs. The OS is in each domain's metadata, and asking
 * for it is one call per VM: 200 VMs, 200 calls, the largest share of a `vm list` in a fresh process
 * (~15 ms: the client's code is not compiled yet). Yet it changes only when the domain's persistent
 * definition does, and libvirt rewrites that definition's file (`/etc/libvirt/qemu/NAME.xml` for
 * `qemu:///system`, `~/.config/libvirt/qemu/NAME.xml` for `qemu:///session`) on every such change: a
 * new file under the same name, so a new inode and modification time. A VM that is shut off and whose
 * file is the very file seen last time (inode, size and mtime) has the OS seen last time; any
 * other is asked, as before. Checking needs only `stat`, which works without read access to the files.
 *
 * Only those two URIs, exactly: a daemon with another socket or on another host keeps its files
 * elsewhere (or out of reach), so every VM is asked. A running VM is always asked: its live metadata
 * can differ from the file. Any problem with the cache file falls back to asking.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

interface Seen {
  /** inode:size:mtime of the definition's file when the OS was asked. */
  file: string;
  os: string | null;
}

export interface VmOsCacheOptions {
  /** Default: from the URI (`domainConfigDir`). */
  configDir?: string | undefined;
  /** Default: the user's Phyllome cache dir. */
  cacheDir?: string;
}

export interface VmOsLookup {
  /** The VM's OS: remembered when its definition's file is unchanged and it is shut off, else asked. */
  osOf(dom: Domain): Promise<string | null>;
  /** Writes what was learnt (only the VMs looked up this time), if anything changed. */
  save(): void;
  /** How many lookups the cache answered (for tests). */
  readonly hits: number;
}

/**
 * The file's identity: inode, size and mtime (ms, with its fraction: µs here). Not the ns of a bigint
 * stat, which takes twice as long (1.4 ms more for 200 VMs); a rewrite is a new inode anyway.
 */
function fileKey(path: string): string | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? `${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** A lookup for the VMs of the connection `uri`, asking each with `ask` when the cache cannot answer. */
export function vmOsLookup(
  uri: string,
  ask: (dom: Domain) => Promise<string | null>,
  opts: VmOsCacheOptions = {},
): VmOsLookup {
  const configDir = 'configDir' in opts ? opts.configDir : domainConfigDir(uri);
  if (!configDir) return { osOf: ask, save: () => undefined, hits: 0 };
  const cacheDir = opts.cacheDir ?? phyllomeCacheDir();
  // A name has no '/' (libvirt refuses one): the path is the directory and the name, without join's work.
  const dir = configDir.endsWith('/') ? configDir : `${configDir}/`;
  // One file per daemon (system, session; no hash of the URI: loading node:crypto alone costs 2.7 ms).
  const daemon = uri.replace(/^qemu:\/\/\//, '').replace(/[^a-z0-9]/gi, '_');
  const path = join(cacheDir, `vm-os-${daemon}.json`);
  let before: Record<string, Seen> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object') before = parsed as Record<string, Seen>;
  } catch {
    // none yet, or unreadable: every VM is asked
  }
  const now: Record<string, Seen> = {};
  let changed = false;
  let hits = 0;
  return {
    get hits() {
      return hits;
    },
    async osOf(dom) {
      // Taken before asking: a change after this stat gives the file a new key, so it is asked again next time.
      const file = dom.id === -1 ? fileKey(`${dir}${dom.name}.xml`) : undefined;
      const last = before[dom.uuid];
      if (file && last && last.file === file && (typeof last.os === 'string' || last.os === null)) {
        hits++;
        now[dom.uuid] = last;
        return last.os;
      }
      const os = await ask(dom);
      if (file) {
        now[dom.uuid] = { file, os };
        changed = true;
      }
      return os;
    },
    save() {
      // VMs gone since last time are dropped; a list of some VMs only (`only`) would drop the others.
      if (!changed && Object.keys(now).length === Object.keys(before).length) return;
      try {
        mkdirSync(cacheDir, { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(now));
        renameSync(tmp, path);
      } catch {
        // a read-only home only costs the calls next time
      }
    },
  };
}
