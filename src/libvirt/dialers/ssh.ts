/**
 * Dial a remote daemon through the system `ssh` binary: on the far side run libvirt's
 * virt-ssh-helper (or netcat on the daemon's socket, as libvirt's own client falls back to)
 * and speak RPC over the child's stdin/stdout.
 */
import { Duplex } from 'node:stream';
import { DialError } from '../errors.js';
import type { LibvirtUri } from '../uri.js';
import type { Dialer } from './dialer.js';
import { SYSTEM_SOCKET } from './unix.js';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
  keyfile?: string;
  /** Skip host key verification (URI `no_verify=1`). */
  noVerify?: boolean;
  knownHosts?: string;
  /** The URI the far side opens (virt-ssh-helper's argument), e.g. qemu:///system. */
  name: string;
  /** Remote socket for the netcat fallback. */
  socket?: string;
  /** Remote netcat binary; giving it (or `socket`) forces netcat mode. */
  netcat?: string;
  /** The ssh binary (default `ssh` from PATH). */
  sshBinary?: string;
}

export function sshTargetFromUri(uri: LibvirtUri): SshTarget {
  if (uri.host === undefined) throw new DialError(`An ssh URI needs a host: ${uri.raw}`);
  const p = uri.params;
  const t: SshTarget = { host: uri.host, name: uri.name };
  if (uri.user !== undefined) t.user = uri.user;
  if (uri.port !== undefined) t.port = uri.port;
  if (p.keyfile !== undefined) t.keyfile = p.keyfile;
  if (p.no_verify !== undefined) t.noVerify = p.no_verify !== '0';
  if (p.known_hosts !== undefined) t.knownHosts = p.known_hosts;
  if (p.socket !== undefined) t.socket = p.socket;
  if (p.netcat !== undefined) t.netcat = p.netcat;
  return t;
}

/** POSIX single-quote a word for the remote shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command the far side runs. */
export function remoteCommand(t: SshTarget): string {
  const nc = shellQuote(t.netcat ?? 'nc');
  const socket = shellQuote(t.socket ?? SYSTEM_SOCKET);
  // Some netcats need -q0 to exit when stdin closes; probe for it like libvirt does.
  const netcat = `if ${nc} -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0; else ARG=; fi; exec ${nc} $ARG -U ${socket}`;
  const script =
    t.netcat !== undefined || t.socket !== undefined
      ? netcat
      : `if command -v virt-ssh-helper >/dev/null 2>&1; then exec virt-ssh-helper ${shellQuote(t.name)}; else ${netcat}; fi`;
  return `sh -c ${shellQuote(script)}`;
}

export function sshArgs(t: SshTarget): string[] {
  const args = ['-T', '-e', 'none', '-o', 'BatchMode=yes'];
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.user !== undefined) args.push('-l', t.user);
  if (t.keyfile !== undefined) args.push('-i', t.keyfile, '-o', 'IdentitiesOnly=yes');
  if (t.noVerify)
    args.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR');
  else if (t.knownHosts !== undefined) args.push('-o', `UserKnownHostsFile=${t.knownHosts}`);
  args.push('--', t.host, remoteCommand(t));
  return args;
}

export class SshDialer implements Dialer {
  constructor(readonly target: SshTarget) {}

  dial(): Promise<Duplex> {
    const child = process
      .getBuiltinModule('node:child_process')
      .spawn(this.target.sshBinary ?? 'ssh', sshArgs(this.target), {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-2000);
    });
    // stdout's end is held until the exit status is known, so a failed login surfaces as
    // a DialError carrying ssh's own reason rather than as a bare "connection closed".
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let stdoutEnded = false;
    const finish = (): void => {
      if (!exited || !stdoutEnded || duplex.destroyed) return;
      const { code, signal } = exited;
      if (code === 0) {
        duplex.push(null);
        return;
      }
      const why = stderr.trim().split('\n').pop() ?? '';
      duplex.destroy(
        new DialError(
          `ssh to ${this.target.host} ended (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`,
          {
            hint: 'Check `ssh` works non-interactively to that host (keys, known_hosts) and that libvirt runs there.',
          },
        ),
      );
    };
    const duplex = new Duplex({
      read: () => child.stdout.resume(),
      write: (chunk: Buffer, _enc, cb) => {
        if (child.stdin.write(chunk)) cb();
        else child.stdin.once('drain', () => cb());
      },
      final: (cb) => {
        child.stdin.end();
        cb();
      },
      destroy: (err, cb) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        cb(err);
      },
    });
    child.stdin.on('error', () => undefined); // reported through the exit status
    child.stdout.on('data', (c: Buffer) => {
      if (!duplex.push(c)) child.stdout.pause();
    });
    child.stdout.on('end', () => {
      stdoutEnded = true;
      finish();
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      finish();
    });
    return new Promise((resolve, reject) => {
      child.once('error', (cause) =>
        reject(
          new DialError(`Could not run ssh: ${cause.message}`, { cause, hint: 'Install an OpenSSH client.' }),
        ),
      );
      child.once('spawn', () => resolve(duplex));
    });
  }
}
