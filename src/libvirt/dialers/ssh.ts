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

/** Where a channel through SSH leads on the far side: a UNIX socket, or a TCP address as seen there. */
export type SshEndpoint = { socket: string } | { host: string; port: number };

/**
 * The far side's netcat to `to`. Some netcats need -q0 to exit when stdin closes; probe for it like
 * libvirt does.
 */
export function netcatScript(netcat: string, to: SshEndpoint): string {
  const nc = shellQuote(netcat);
  const target = 'socket' in to ? `-U ${shellQuote(to.socket)}` : `${shellQuote(to.host)} ${to.port}`;
  return `if ${nc} -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0; else ARG=; fi; exec ${nc} $ARG ${target}`;
}

/** The command the far side runs to reach its daemon. */
export function remoteCommand(t: SshTarget): string {
  const netcat = netcatScript(t.netcat ?? 'nc', { socket: t.socket ?? SYSTEM_SOCKET });
  const script =
    t.netcat !== undefined || t.socket !== undefined
      ? netcat
      : `if command -v virt-ssh-helper >/dev/null 2>&1; then exec virt-ssh-helper ${shellQuote(t.name)}; else ${netcat}; fi`;
  return `sh -c ${shellQuote(script)}`;
}

/** ssh's arguments: the URI's options, then the host and the command run there. */
export function sshArgs(t: SshTarget, command = remoteCommand(t)): string[] {
  const args = ['-T', '-e', 'none', '-o', 'BatchMode=yes'];
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.user !== undefined) args.push('-l', t.user);
  if (t.keyfile !== undefined) args.push('-i', t.keyfile, '-o', 'IdentitiesOnly=yes');
  if (t.noVerify)
    args.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR');
  else if (t.knownHosts !== undefined) args.push('-o', `UserKnownHostsFile=${t.knownHosts}`);
  args.push('--', t.host, command);
  return args;
}

const DAEMON_HINT =
  'Check `ssh` works non-interactively to that host (keys, known_hosts) and that libvirt runs there.';

/**
 * A byte stream to `to` on the far side of the SSH transport a libvirt URI names: the same ssh
 * options as the daemon's connection, with netcat (`nc`, or the URI's `netcat=`) there, so what only
 * listens on that host (a VM's display on a UNIX socket or its loopback address) is reached without
 * opening any port. A failure (no route, refused) ends the stream with a DialError carrying ssh's or
 * netcat's own reason.
 */
export function openSshChannel(t: SshTarget, to: SshEndpoint, hint?: string): Promise<Duplex> {
  const script = netcatScript(t.netcat ?? 'nc', to);
  return spawnSsh(t, `sh -c ${shellQuote(script)}`, hint ?? DAEMON_HINT);
}

export class SshDialer implements Dialer {
  constructor(readonly target: SshTarget) {}

  dial(): Promise<Duplex> {
    return spawnSsh(this.target, remoteCommand(this.target), DAEMON_HINT);
  }
}

/** ssh running `command` on the far side, its stdin/stdout as one Duplex. */
function spawnSsh(target: SshTarget, command: string, hint: string): Promise<Duplex> {
  const child = process
    .getBuiltinModule('node:child_process')
    .spawn(target.sshBinary ?? 'ssh', sshArgs(target, command), {
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
      new DialError(`ssh to ${target.host} ended (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`, {
        hint,
      }),
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
