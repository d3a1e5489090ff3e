/**
 * qemu:///session for a non-root user: find the per-user daemon's socket and, like libvirt's
 * own client, start that daemon (`libvirtd --timeout=120`) when nobody listens yet.
 */
import { existsSync, mkdirSync, openSync, closeSync, unlinkSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonNotRunningError } from '../errors.js';
import type { Dialer } from './dialer.js';
import { connectUnix, isNotListening } from './unix.js';

/** libvirt retries the socket this many times, this far apart, after spawning the daemon. */
export const AUTOSTART_RETRIES = 500;
export const AUTOSTART_RETRY_DELAY_MS = 10;
/** Idle seconds after which the spawned session daemon exits by itself. */
export const AUTOSTART_IDLE_TIMEOUT_S = 120;
/** A lock older than this is left over from a crashed client. */
const STALE_LOCK_MS = 30_000;

export interface SessionPaths {
  runtimeDir: string;
  socket: string;
  lock: string;
  daemon: string;
}

/** `$XDG_RUNTIME_DIR/libvirt` (GLib falls back to ~/.cache when it is unset). */
export function sessionRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR !== ''
      ? env.XDG_RUNTIME_DIR
      : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'libvirt');
}

/** Modular virtqemud when its socket exists, else the monolithic libvirtd (Debian's 9.0 default). */
export function sessionPaths(env: NodeJS.ProcessEnv = process.env): SessionPaths {
  const runtimeDir = sessionRuntimeDir(env);
  const modular = join(runtimeDir, 'virtqemud-sock');
  if (existsSync(modular)) {
    return {
      runtimeDir,
      socket: modular,
      lock: join(runtimeDir, 'virtqemud.lock'),
      daemon: env.VIRTD_PATH ?? '/usr/sbin/virtqemud',
    };
  }
  return {
    runtimeDir,
    socket: join(runtimeDir, 'libvirt-sock'),
    lock: join(runtimeDir, 'libvirtd.lock'),
    daemon: env.LIBVIRTD_PATH ?? env.VIRTD_PATH ?? '/usr/sbin/libvirtd',
  };
}

export const SESSION_DAEMON_HINT =
  'Your session daemon is not running. Run `libvirtd --daemon --timeout=120` as yourself, or unset LIBVIRT_AUTOSTART=0 so it starts on demand.';

export interface SessionDialerOptions {
  env?: NodeJS.ProcessEnv;
  /** Start the daemon when missing (default: unless LIBVIRT_AUTOSTART=0). */
  autostart?: boolean;
}

export class SessionDialer implements Dialer {
  private readonly env: NodeJS.ProcessEnv;
  private readonly autostart: boolean;

  constructor(opts: SessionDialerOptions = {}) {
    this.env = opts.env ?? process.env;
    this.autostart = opts.autostart ?? this.env.LIBVIRT_AUTOSTART !== '0';
  }

  async dial(): Promise<Duplex> {
    const paths = sessionPaths(this.env);
    try {
      return await connectUnix(paths.socket);
    } catch (cause) {
      if (!isNotListening(cause) || !this.autostart) throw this.notRunning(paths.socket, cause);
    }
    mkdirSync(paths.runtimeDir, { recursive: true, mode: 0o700 });
    const locked = takeLock(paths.lock);
    try {
      if (locked) this.spawnDaemon(paths);
      let last: unknown;
      for (let i = 0; i < AUTOSTART_RETRIES; i++) {
        try {
          return await connectUnix(paths.socket);
        } catch (cause) {
          if (!isNotListening(cause)) throw this.notRunning(paths.socket, cause);
          last = cause;
        }
        await sleep(AUTOSTART_RETRY_DELAY_MS);
      }
      throw this.notRunning(paths.socket, last);
    } finally {
      if (locked) releaseLock(paths.lock);
    }
  }

  private spawnDaemon(paths: SessionPaths): void {
    const keep = ['XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'PATH', 'HOME'];
    const env: NodeJS.ProcessEnv = {};
    for (const k of keep) if (this.env[k] !== undefined) env[k] = this.env[k];
    const child = process
      .getBuiltinModule('node:child_process')
      .spawn(paths.daemon, [`--timeout=${AUTOSTART_IDLE_TIMEOUT_S}`, '--daemon'], {
        env,
        detached: true,
        stdio: 'ignore',
      });
    child.on('error', () => undefined); // the retry loop reports "not running"
    child.unref();
  }

  private notRunning(socket: string, cause: unknown): DaemonNotRunningError {
    return new DaemonNotRunningError(socket, SESSION_DAEMON_HINT, { cause });
  }
}

function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) unlinkSync(path);
        else return false; // someone else is starting it: just wait for the socket
      } catch {
        // raced with its owner removing it: retry
      }
    }
  }
  return false;
}

function releaseLock(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
