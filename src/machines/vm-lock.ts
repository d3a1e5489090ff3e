import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotFound, type Domain, type Libvirt } from '../libvirt/index.js';
import { VmBusyError, VmNotFoundError } from './errors.js';
import { hostName } from './find-vm.js';
import { processAlive } from './process-alive.js';

/**
 * Where the per-VM locks live: /run/phyllome/locks for root, else the user's runtime directory
 * ($XDG_RUNTIME_DIR, or a private folder in the temporary directory). `PHYLLO_LOCK_DIR` overrides.
 */
export function lockDir(): string {
  if (process.env.PHYLLO_LOCK_DIR) return process.env.PHYLLO_LOCK_DIR;
  if (process.getuid?.() === 0) return '/run/phyllome/locks';
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime
    ? join(runtime, 'phyllome', 'locks')
    : join(tmpdir(), `phyllome-${process.getuid?.() ?? 0}`, 'locks');
}

/** Tries to take a lock that keeps changing hands (released, or left by a dead holder) this often. */
const MAX_ATTEMPTS = 20;

interface Holder {
  pid: number;
  operation: string;
  token: string;
}

/** The lock file's text, or undefined when there is none (its holder has just released it). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseHolder(text: string | undefined): Holder | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as Holder);
  } catch {
    return undefined;
  }
}

const readHolder = (path: string): Holder | undefined => parseHolder(readText(path));

/** Tries `link` (atomic: fails when the target exists); false when it exists. */
function linked(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Removes the lock at `path` if it still holds `text` (left by a holder that died). Only one process
 * at a time does this, under `path.break` (made with `link` from `own`, a file naming this process),
 * so two takers cannot both see the dead holder and one then remove the live lock the other made
 * meanwhile. A break lock whose process died (within these few calls) is removed and this attempt
 * gives up; only a second crash-and-race in that instant could let two breakers in.
 */
function breakStale(path: string, text: string, own: string): void {
  const breaker = `${path}.break`;
  if (!linked(own, breaker)) {
    const other = readText(breaker);
    const holder = parseHolder(other);
    if (other !== undefined && !(holder && processAlive(holder.pid)) && readText(breaker) === other)
      rmSync(breaker, { force: true });
    return;
  }
  try {
    if (readText(path) === text) rmSync(path);
  } finally {
    rmSync(breaker, { force: true });
  }
}

/** The lock file of one VM (by UUID, so a rename keeps it) on one daemon (by the URI asked for). */
export function lockPath(lv: Libvirt, dom: Pick<Domain, 'uuid'>): string {
  const key = createHash('sha256').update(`${lv.requestedUri}\n${dom.uuid}`).digest('hex').slice(0, 32);
  return join(lockDir(), `${key}.lock`);
}

/** What the lock needs of a VM: its UUID (the key) and its name (for messages). */
type LockedVm = Pick<Domain, 'name' | 'uuid'>;

/**
 * Runs `fn` while holding the VM's lock, so two Phyllome commands (or a command and the server) never
 * change one VM at once: the second gets a typed `operation-in-progress` error (it does not wait). A
 * lock whose process has died is removed and taken (`breakStale`). The lock is this machine's:
 * commands run on two machines against one remote daemon do not see each other's.
 *
 * Once the lock is held, the VM is looked up again by its UUID: a VM deleted between the caller's
 * lookup and the lock (by the command that held it) gives `vm-not-found`, not libvirt's "Domain not
 * found" from the middle of `fn`.
 */
export function withVmLock<T>(
  lv: Libvirt,
  dom: LockedVm,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  return holding(lv, dom, operation, async () => {
    try {
      await lv.domains.lookup(dom.uuid);
    } catch (err) {
      if (isNotFound(err)) throw new VmNotFoundError(dom.name, hostName(lv), err);
      throw err;
    }
    return fn();
  });
}

/** The lock of a VM being made (`vm clone`'s new UUID): held the same way, with no VM to look up yet. */
export function withNewVmLock<T>(
  lv: Libvirt,
  vm: LockedVm,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  return holding(lv, vm, operation, fn);
}

async function holding<T>(lv: Libvirt, dom: LockedVm, operation: string, fn: () => Promise<T>): Promise<T> {
  const path = lockPath(lv, dom);
  mkdirSync(lockDir(), { recursive: true, mode: 0o700 });
  const me: Holder = {
    pid: process.pid,
    operation,
    token: `${process.pid}-${Math.random().toString(36).slice(2)}`,
  };
  const tmp = `${path}.${me.token}`;
  writeFileSync(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; !linked(tmp, path); attempt++) {
      const text = readText(path);
      const holder = parseHolder(text);
      if ((holder && processAlive(holder.pid)) || attempt >= MAX_ATTEMPTS)
        throw new VmBusyError(dom.name, holder?.operation ?? 'another command', holder?.pid ?? 0);
      // Released in between: try again. Its holder died: remove that lock, then try again.
      if (text !== undefined) breakStale(path, text, tmp);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (readHolder(path)?.token === me.token) rmSync(path, { force: true });
  }
}
