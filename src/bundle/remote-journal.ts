/**
 * What an export or import made on ANOTHER host, written down on this machine before each piece is
 * made, so that nothing is left there when the process is killed or the connection is cut halfway.
 * On this machine a killed import's files carry its PID in their names (sweepDeadImports); a remote
 * host's volumes and files cannot be renamed into place and its processes are not ours to ask about,
 * so the record is kept here instead: one JSON file per run, removed when the run ended cleanly
 * (succeeded, or took back everything itself). A run that died, or whose undo could not reach the
 * host, leaves its record; the next export, import or move to that host removes what it lists.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { isNotFound, UndefineFlags, type Libvirt } from '../libvirt/index.js';
import { hostOffer } from '../machines/kvm-offer.js';
import { processAlive } from '../machines/process-alive.js';
import { stateCopier } from '../machines/state-copier.js';

/** One thing made on the host: a storage volume, a state file or directory, a defined domain. */
export type Made =
  | { kind: 'volume'; pool: string; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'domain'; uuid: string };

interface Record {
  pid: number;
  /** The libvirt host UUID of the host the things are on. */
  host: string;
  /** The URI it was reached by (for people reading the file). */
  uri: string;
  made: Made[];
  /** The run's own undo could not finish (the host was unreachable): sweep it even while it lives. */
  abandoned?: boolean;
}

/** `$XDG_STATE_HOME/phyllome/remote-runs`, else `~/.local/state/phyllome/remote-runs`. */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  return join(
    xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state'),
    'phyllome',
    'remote-runs',
  );
}

async function hostUuid(lv: Libvirt): Promise<string> {
  return hostOffer(await lv.capabilities()).hostUuid;
}

/** The record of one run on one remote host. */
export class RemoteJournal {
  private constructor(
    private readonly file: string,
    private readonly record: Record,
  ) {}

  static async begin(lv: Libvirt, dir = journalDir()): Promise<RemoteJournal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
    const j = new RemoteJournal(file, {
      pid: process.pid,
      host: await hostUuid(lv),
      uri: lv.requestedUri,
      made: [],
    });
    await j.save();
    return j;
  }

  /** Written down BEFORE it is made: a kill right after the making still finds it. */
  async add(made: Made): Promise<void> {
    this.record.made.push(made);
    await this.save();
  }

  /** It was not made after all (its creation failed): not removed later. */
  async drop(made: Made): Promise<void> {
    this.record.made = this.record.made.filter((m) => JSON.stringify(m) !== JSON.stringify(made));
    await this.save();
  }

  /** The run ended cleanly: nothing of it is left to remove. */
  async end(): Promise<void> {
    await rm(this.file, { force: true });
  }

  /** The run's undo failed partway: what it lists stays for the next sweep of that host. */
  async abandon(): Promise<void> {
    this.record.abandoned = true;
    await this.save();
  }

  private async save(): Promise<void> {
    // A whole record or the previous one: a kill during the write never leaves half a JSON file.
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(this.record), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}

const ignoreNotFound = (err: unknown) => {
  if (!isNotFound(err)) throw err;
};

/** Removes one thing a dead run made, unless a VM there uses it now. */
async function removeMade(lv: Libvirt, m: Made, inUse: (path: string) => boolean): Promise<boolean> {
  if (m.kind === 'domain') {
    const dom = await lv.domains.lookup(m.uuid).catch((err: unknown) => ignoreNotFound(err));
    if (!dom) return false;
    // A run that died before its end defined this VM and never finished it; a running one is not ours to stop.
    if ((await dom.state()).state !== 'shutoff') return false;
    // Its NVRAM and TPM state are listed as files of their own, removed next.
    await dom.undefine(UndefineFlags.KEEP_NVRAM | UndefineFlags.KEEP_TPM);
    return true;
  }
  if (m.kind === 'volume') {
    const pool = await lv.pools.lookup(m.pool).catch((err: unknown) => ignoreNotFound(err));
    const vol = await pool?.volumes.lookup(m.name).catch((err: unknown) => ignoreNotFound(err));
    if (!vol || inUse(await vol.path())) return false;
    await vol.delete();
    return true;
  }
  const files = stateCopier(lv);
  if (inUse(m.path) || !(await files.exists(m.path))) return false;
  await files.remove(m.path);
  return true;
}

/**
 * Removes what runs that died (or gave up) left on the connection's host: their domains first (so
 * the files are no longer theirs), then their volumes and files, each only when no VM there names
 * it. Returns what was removed (`volume default/x.raw`, `file /var/lib/…`, `domain UUID`).
 */
export async function sweepRemoteRuns(lv: Libvirt, dir = journalDir()): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((x) => x.endsWith('.json'));
  if (!names.length) return [];
  const here = await hostUuid(lv);
  const removed: string[] = [];
  for (const n of names) {
    const file = join(dir, n);
    const rec = await readFile(file, 'utf8')
      .then((t) => JSON.parse(t) as Record)
      .catch(() => undefined);
    if (!rec || rec.host !== here) continue;
    if (!rec.abandoned && (rec.pid === process.pid || processAlive(rec.pid))) continue;
    const order = [...rec.made].sort((a, b) => Number(b.kind === 'domain') - Number(a.kind === 'domain'));
    for (const m of order) {
      // Read after each domain is gone: what only that VM named is free to remove.
      // (a TPM state directory is named by its VM's UUID, which its domain XML holds too).
      const xmls = await Promise.all((await lv.domains.list()).map((d) => d.xml()));
      const inUse = (path: string) =>
        xmls.some((x) => x.includes(path) || x.includes(`<uuid>${basename(path)}</uuid>`));
      if (await removeMade(lv, m, inUse))
        removed.push(
          `${m.kind} ${m.kind === 'volume' ? `${m.pool}/${m.name}` : m.kind === 'file' ? m.path : m.uuid}`,
        );
    }
    await rm(file, { force: true });
  }
  return removed;
}
