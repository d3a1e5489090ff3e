/** Pick the dialer for a libvirt URI. */
import { UnsupportedUriError } from './errors.js';
import type { Dialer } from './dialers/dialer.js';
import { SessionDialer } from './dialers/session.js';
import { SshDialer, sshTargetFromUri } from './dialers/ssh.js';
import { TcpDialer } from './dialers/tcp.js';
import { SYSTEM_SOCKET, SYSTEM_SOCKET_RO, UnixDialer } from './dialers/unix.js';
import { type LibvirtUri, TCP_DEFAULT_PORT } from './uri.js';

export interface DialerOptions {
  readOnly?: boolean;
  env?: NodeJS.ProcessEnv;
  uid?: number;
}

export function dialerFor(uri: LibvirtUri, opts: DialerOptions = {}): Dialer {
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  switch (uri.transport) {
    case undefined:
    case 'unix': {
      if (uri.host !== undefined && uri.transport === undefined) {
        throw new UnsupportedUriError(
          `A URI with a host needs a transport: ${uri.raw}`,
          'Use qemu+ssh://host/system.',
        );
      }
      if (uri.params.socket !== undefined) return new UnixDialer(uri.params.socket);
      if (uri.path === '/session' && uid !== 0) {
        return opts.env === undefined ? new SessionDialer() : new SessionDialer({ env: opts.env });
      }
      return new UnixDialer(opts.readOnly ? SYSTEM_SOCKET_RO : SYSTEM_SOCKET);
    }
    case 'tcp':
      return new TcpDialer(uri.host ?? 'localhost', uri.port ?? TCP_DEFAULT_PORT);
    case 'ssh':
      return new SshDialer(sshTargetFromUri(uri));
    case 'tls':
      throw new UnsupportedUriError(
        'qemu+tls:// is not supported yet.',
        'Use qemu+ssh:// to reach a remote host.',
      );
    default:
      throw new UnsupportedUriError(
        `The ${uri.transport} transport is not supported.`,
        'Use qemu+ssh://, qemu+tcp:// or a local URI.',
      );
  }
}
