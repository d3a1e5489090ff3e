/** Dial a libvirt daemon listening on TCP (libvirtd --listen, port 16509 by default). */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { DialError } from '../errors.js';
import { TCP_DEFAULT_PORT } from '../uri.js';
import type { Dialer } from './dialer.js';

export class TcpDialer implements Dialer {
  constructor(
    readonly host: string,
    readonly port: number = TCP_DEFAULT_PORT,
  ) {}

  dial(): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: this.host, port: this.port });
      sock.setNoDelay(true);
      const onError = (cause: Error): void => {
        sock.destroy();
        reject(
          new DialError(`Could not reach libvirt at ${this.host}:${this.port}: ${cause.message}`, {
            cause,
            hint: 'Check that the daemon listens on TCP (libvirtd --listen) and that the port is reachable.',
          }),
        );
      };
      sock.once('error', onError);
      sock.once('connect', () => {
        sock.off('error', onError);
        resolve(sock);
      });
    });
  }
}
