import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * libvirt has no uptime stat. For a VM on this machine it is the age of its QEMU process: the pid from
 * the file libvirt writes when it starts the domain, and that process's start time from /proc (its
 * `starttime` in clock ticks after boot, plus the boot time `btime`). Anything that does not add up (no
 * pid file, a pid that is not QEMU any more) gives `undefined`: unknown, never a guess.
 */

/** Clock ticks per second in /proc/PID/stat: USER_HZ, which the Linux ABI fixes at 100 on x86 and arm. */
const USER_HZ = 100;

export interface UptimeDirs {
  /** The root the probes read below (tests: a fixture tree). */
  root?: string;
  /** Where libvirt keeps the pid files: /run/libvirt/qemu for the system daemon. */
  pidDirs?: string[];
}

/** The pid-file folders of the system daemon and of this user's session daemon. */
export function defaultPidDirs(): string[] {
  const dirs = ['/run/libvirt/qemu'];
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime) dirs.push(join(runtime, 'libvirt/qemu/run'));
  return dirs;
}

/**
 * A small file of /proc or /run (a few hundred bytes), read at once, or undefined when it cannot be read.
 * Read synchronously: the promise API costs a fresh process about a millisecond to load and several
 * thread-pool round trips per file, for what takes microseconds.
 */
function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Seconds since the boot of the machine (`btime` of /proc/stat, epoch seconds). */
export async function bootTime(root = '/'): Promise<number | undefined> {
  const text = readSmall(join(root, 'proc/stat'));
  const m = text && /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The start of process `pid` in epoch milliseconds, if it is a QEMU process. */
export async function qemuStartMs(pid: number, btime: number, root = '/'): Promise<number | undefined> {
  const stat = readSmall(join(root, `proc/${pid}/stat`));
  if (!stat) return undefined;
  // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  if (!/qemu/.test(comm)) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // Field 22 (starttime) of the whole line is the 20th after the comm.
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? btime * 1000 + (ticks * 1000) / USER_HZ : undefined;
}

/** When the VM `name`'s QEMU process on this machine started (epoch ms), or undefined when unknown. */
export async function localStartMs(
  name: string,
  btime: number | undefined,
  dirs: UptimeDirs = {},
): Promise<number | undefined> {
  if (btime === undefined) return undefined;
  const root = dirs.root ?? '/';
  for (const dir of dirs.pidDirs ?? defaultPidDirs()) {
    const text = readSmall(join(root, dir, `${name}.pid`));
    const pid = Number(text?.trim());
    if (!text || !Number.isInteger(pid) || pid <= 0) continue;
    const start = await qemuStartMs(pid, btime, root);
    if (start !== undefined) return start;
  }
  return undefined;
}

/** Seconds the VM `name` has been running on this machine, or undefined when that cannot be known. */
export async function localUptimeSeconds(
  name: string,
  now: number,
  btime: number | undefined,
  dirs: UptimeDirs = {},
): Promise<number | undefined> {
  const start = await localStartMs(name, btime, dirs);
  return start === undefined ? undefined : Math.max(0, Math.round((now - start) / 1000));
}
