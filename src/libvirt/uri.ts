/** libvirt connection URIs: `driver[+transport]://[user@][host][:port]/path[?params]`. */
import { InvalidInputError } from '../errors.js';

export type Transport = 'unix' | 'tcp' | 'ssh' | 'tls' | 'libssh' | 'libssh2' | 'ext';

export interface LibvirtUri {
  /** The URI as given. */
  raw: string;
  /** `qemu`, `test`, … */
  driver: string;
  /** The explicit transport, or undefined for a local URI such as `qemu:///system`. */
  transport: Transport | undefined;
  user: string | undefined;
  host: string | undefined;
  port: number | undefined;
  /** `/system`, `/session`, … */
  path: string;
  params: Record<string, string>;
  /** What goes into CONNECT_OPEN: the URI without transport, host and transport parameters. */
  name: string;
}

const TRANSPORTS: readonly Transport[] = ['unix', 'tcp', 'ssh', 'tls', 'libssh', 'libssh2', 'ext'];
/** Query parameters consumed by the client side (never forwarded to the daemon). */
const CLIENT_PARAMS = new Set([
  'name',
  'command',
  'socket',
  'netcat',
  'keyfile',
  'sshauth',
  'no_verify',
  'no_tty',
  'pkipath',
  'known_hosts',
  'known_hosts_verify',
  'mode',
  'proxy',
  'tls_priority',
]);

export const TCP_DEFAULT_PORT = 16509;
export const TLS_DEFAULT_PORT = 16514;
export const SYSTEM_URI = 'qemu:///system';
export const SESSION_URI = 'qemu:///session';

export function parseUri(raw: string): LibvirtUri {
  const m = /^([A-Za-z][A-Za-z0-9.-]*?)(?:\+([a-z0-9]+))?:\/\/(.*)$/.exec(raw);
  if (!m)
    throw new InvalidInputError(`Not a libvirt URI: ${raw}`, {
      hint: 'Use e.g. qemu:///system or qemu+ssh://user@host/system.',
    });
  const driver = m[1] as string;
  const transportText = m[2];
  if (transportText !== undefined && !TRANSPORTS.includes(transportText as Transport)) {
    throw new InvalidInputError(`Unknown libvirt transport "${transportText}" in ${raw}`, {
      hint: `Known transports: ${TRANSPORTS.join(', ')}.`,
    });
  }
  let url: URL;
  try {
    url = new URL(`x-libvirt://${m[3] as string}`);
  } catch (cause) {
    throw new InvalidInputError(`Not a valid libvirt URI: ${raw}`, { cause });
  }
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const host = url.hostname === '' ? undefined : url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? undefined : Number(url.port);
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  const path = url.pathname === '' ? '/' : decodeURIComponent(url.pathname);
  const forwarded = Object.entries(params).filter(([k]) => !CLIENT_PARAMS.has(k));
  const query = forwarded.length ? '?' + new URLSearchParams(forwarded).toString() : '';
  const name = params.name ?? `${driver}://${path}${query}`;
  return {
    raw,
    driver,
    transport: transportText as Transport | undefined,
    user,
    host,
    port,
    path,
    params,
    name,
  };
}

/** True when the URI is served by a daemon on this machine through a unix socket. */
export function isLocal(uri: LibvirtUri): boolean {
  return (uri.transport === undefined || uri.transport === 'unix') && uri.host === undefined;
}

/** `PHYLLO_CONNECT`, else qemu:///system for root and qemu:///session for everyone else. */
export function defaultUri(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const fromEnv = env.PHYLLO_CONNECT;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return uid === 0 ? SYSTEM_URI : SESSION_URI;
}
