/** Dial a libvirt daemon's unix socket. */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DaemonNotRunningError, DialError } from '../errors.js';
import type { Dialer } from './dialer.js';

export const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';
export const SYSTEM_SOCKET_RO = '/var/run/libvirt/libvirt-sock-ro';
export const SYSTEM_DAEMON_HINT =
  'Start it with `sudo systemctl start libvirtd` (where systemd does not run: `sudo virtlogd -d && sudo libvirtd -d`).';

/** Errors meaning "nobody listens there". */
export function isNotListening(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

export function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path });
    const onError = (err: Error): void => {
      sock.destroy();
      reject(err);
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      resolve(sock);
    });
  });
}

export class UnixDialer implements Dialer {
  constructor(
    readonly path: string = SYSTEM_SOCKET,
    private readonly notRunningHint: string = SYSTEM_DAEMON_HINT,
  ) {}

  async dial(): Promise<Duplex> {
    try {
      return await connectUnix(this.path);
    } catch (cause) {
      if (isNotListening(cause)) throw new DaemonNotRunningError(this.path, this.notRunningHint, { cause });
      throw new DialError(`Could not connect to ${this.path}: ${(cause as Error).message}`, {
        cause,
        hint: 'Check the socket permissions, or run as root.',
      });
    }
  }
}
