import { InvalidInputError, PhyllomeError } from '../errors.js';
import { isLoopback } from './auth/origin.js';

export const DEFAULT_LISTEN = '127.0.0.1:8006';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT` or `localhost:PORT`. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535))
    throw new InvalidInputError(`--listen ${text} is not an address and port`, {
      hint: `Give HOST:PORT, e.g. --listen ${DEFAULT_LISTEN} (IPv6: --listen [::1]:8006).`,
    });
  return { host: (m[1] ?? m[2])!, port };
}

export class TlsRequiredError extends PhyllomeError {
  override name = 'TlsRequiredError';
  constructor(host: string) {
    super(
      'tls-required',
      `Refusing to listen on ${host} without TLS: the API token and session cookies would cross the network in clear text.`,
      {
        hint: 'Add --tls-cert FILE --tls-key FILE (PEM), or listen on loopback (--listen 127.0.0.1:8006) and reach it through an SSH tunnel.',
      },
    );
  }
}

/** Off loopback the server speaks TLS or does not start. */
export function requireTlsOffLoopback(addr: ListenAddress, tls: boolean): void {
  if (!tls && !isLoopback(addr.host)) throw new TlsRequiredError(addr.host);
}
