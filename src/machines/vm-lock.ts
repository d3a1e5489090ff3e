import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Domain, Libvirt } from '../libvirt/index.js';
import { VmBusyError } from './errors.js';

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

interface Holder {
  pid: number;
  operation: string;
  token: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/** The lock file of one VM (by UUID, so a rename keeps it) on one daemon (by the URI asked for). */
export function lockPath(lv: Libvirt, dom: Domain): string {
  const key = createHash('sha256').update(`${lv.requestedUri}\n${dom.uuid}`).digest('hex').slice(0, 32);
  return join(lockDir(), `${key}.lock`);
}

/**
 * Runs `fn` while holding the VM's lock, so two Phyllome commands (or a command and the server) never
 * change one VM at once: the second gets a typed `operation-in-progress` error. A lock whose process
 * has died is taken over. The lock is this machine's: commands run on two machines against one remote
 * daemon do not see each other's.
 */
export async function withVmLock<T>(
  lv: Libvirt,
  dom: Domain,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
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
    try {
      linkSync(tmp, path); // atomic: fails when someone holds the lock
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(path);
      if (holder && alive(holder.pid)) throw new VmBusyError(dom.name, holder.operation, holder.pid);
      // The holder died: take the lock over, then make sure no other taker won the race.
      renameSync(tmp, path);
      if (readHolder(path)?.token !== me.token) {
        const winner = readHolder(path);
        throw new VmBusyError(dom.name, winner?.operation ?? 'another command', winner?.pid ?? 0);
      }
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
