/** Errors of the libvirt client: decoded daemon errors and connection failures. */
import { PhyllomeError } from '../errors.js';
import { type Codec, xint, xoptional, xstring, xstruct, xfixedOpaque } from './xdr.js';

/** A subset of libvirt's virErrorNumber, named as in virterror.h without the VIR_ERR_ prefix. */
export const ErrorCode = {
  OK: 0,
  INTERNAL_ERROR: 1,
  NO_MEMORY: 2,
  NO_SUPPORT: 3,
  NO_CONNECT: 5,
  INVALID_CONN: 6,
  INVALID_DOMAIN: 7,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  DOM_EXIST: 28,
  OPERATION_DENIED: 29,
  OPEN_FAILED: 30,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  NO_NETWORK: 43,
  AUTH_FAILED: 45,
  INVALID_STORAGE_POOL: 46,
  INVALID_STORAGE_VOL: 47,
  NO_STORAGE_POOL: 49,
  NO_STORAGE_VOL: 50,
  NO_NODE_DEVICE: 53,
  OPERATION_INVALID: 55,
  NO_INTERFACE: 57,
  NO_NWFILTER: 62,
  NO_SECRET: 66,
  CONFIG_UNSUPPORTED: 67,
  OPERATION_TIMEOUT: 68,
  INVALID_DOMAIN_SNAPSHOT: 71,
  NO_DOMAIN_SNAPSHOT: 72,
  INVALID_STREAM: 73,
  ARGUMENT_UNSUPPORTED: 74,
  OPERATION_ABORTED: 78,
  NO_DOMAIN_METADATA: 80,
  OPERATION_UNSUPPORTED: 84,
  AGENT_UNRESPONSIVE: 86,
  RESOURCE_BUSY: 87,
  ACCESS_DENIED: 88,
  STORAGE_VOL_EXIST: 90,
  NO_DOMAIN_CHECKPOINT: 103,
  NO_NETWORK_PORT: 107,
  NO_HOSTNAME: 108,
  NO_NETWORK_METADATA: 111,
} as const;

/** Codes meaning "the object you named does not exist". */
const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  ErrorCode.NO_DOMAIN,
  ErrorCode.NO_NETWORK,
  ErrorCode.NO_STORAGE_POOL,
  ErrorCode.NO_STORAGE_VOL,
  ErrorCode.NO_NODE_DEVICE,
  ErrorCode.NO_INTERFACE,
  ErrorCode.NO_NWFILTER,
  ErrorCode.NO_SECRET,
  ErrorCode.NO_DOMAIN_SNAPSHOT,
  ErrorCode.NO_DOMAIN_METADATA,
  ErrorCode.NO_DOMAIN_CHECKPOINT,
  ErrorCode.NO_NETWORK_PORT,
  ErrorCode.NO_NETWORK_METADATA,
]);

/** virErrorLevel. */
export const ErrorLevel = { NONE: 0, WARNING: 1, ERROR: 2 } as const;

const REMOTE_STRING_MAX = 4194304;
const xname = xstring(REMOTE_STRING_MAX);
const xerrDomainRef = xoptional(xstruct({ name: xname, uuid: xfixedOpaque(16), id: xint }));
const xerrNetworkRef = xoptional(xstruct({ name: xname, uuid: xfixedOpaque(16) }));
const xostr = xoptional(xname);

/** `remote_error`, every field. */
export interface RemoteError {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  dom: { name: string; uuid: Buffer; id: number } | null;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
  net: { name: string; uuid: Buffer } | null;
}

export const xremoteError: Codec<RemoteError> = xstruct({
  code: xint,
  domain: xint,
  message: xostr,
  level: xint,
  dom: xerrDomainRef,
  str1: xostr,
  str2: xostr,
  str3: xostr,
  int1: xint,
  int2: xint,
  net: xerrNetworkRef,
});

/** An error the daemon returned; `libvirtCode` is virErrorNumber, see `ErrorCode`. */
export class LibvirtError extends PhyllomeError {
  override name = 'LibvirtError';
  readonly libvirtCode: number;
  readonly libvirtDomain: number;
  readonly level: number;
  readonly remote: RemoteError;
  /** The procedure that failed, e.g. `DomainLookupByName`, when known. */
  readonly procedure: string | undefined;

  constructor(remote: RemoteError, procedure?: string) {
    const text = remote.message ?? `libvirt error ${remote.code} (no message)`;
    super('libvirt-error', text, { hint: hintFor(remote.code) });
    this.libvirtCode = remote.code;
    this.libvirtDomain = remote.domain;
    this.level = remote.level;
    this.remote = remote;
    this.procedure = procedure;
  }
}

function hintFor(code: number): string | undefined {
  switch (code) {
    case ErrorCode.AUTH_FAILED:
    case ErrorCode.ACCESS_DENIED:
      return 'Run as root, or use qemu:///session for a per-user daemon.';
    case ErrorCode.OPERATION_DENIED:
      return 'The connection is read-only; connect read-write to change things.';
    default:
      return undefined;
  }
}

/** True for libvirt's "no such domain/network/pool/volume/…" errors. */
export function isNotFound(err: unknown): boolean {
  return err instanceof LibvirtError && NOT_FOUND_CODES.has(err.libvirtCode);
}

/** True when `err` is a LibvirtError with the given virErrorNumber. */
export function hasLibvirtCode(err: unknown, code: number): boolean {
  return err instanceof LibvirtError && err.libvirtCode === code;
}

/** The connection dropped (or was closed) while something was still waiting on it. */
export class ConnectionClosedError extends PhyllomeError {
  override name = 'ConnectionClosedError';
  constructor(message = 'The connection to libvirt closed.', options: { cause?: unknown } = {}) {
    super('libvirt-connection-closed', message, {
      ...options,
      hint: 'Check that the libvirt daemon is still running, then try again.',
    });
  }
}

/** Nothing listens on the daemon's socket. */
export class DaemonNotRunningError extends PhyllomeError {
  override name = 'DaemonNotRunningError';
  readonly socketPath: string;
  constructor(socketPath: string, hint: string, options: { cause?: unknown } = {}) {
    super('libvirt-daemon-not-running', `The libvirt daemon is not running (no listener at ${socketPath}).`, {
      ...options,
      hint,
    });
    this.socketPath = socketPath;
  }
}

/** The URI names a transport or form this client does not handle. */
export class UnsupportedUriError extends PhyllomeError {
  override name = 'UnsupportedUriError';
  constructor(message: string, hint?: string) {
    super('libvirt-unsupported-uri', message, hint === undefined ? {} : { hint });
  }
}

/** The daemon asked for an authentication method this client does not implement. */
export class AuthUnsupportedError extends PhyllomeError {
  override name = 'AuthUnsupportedError';
  constructor(offered: number[]) {
    super(
      'libvirt-auth-unsupported',
      `The daemon requires an authentication method this client lacks (${offered.join(', ')}).`,
      {
        hint: 'Use a unix socket as root, or configure the daemon with auth none for this transport.',
      },
    );
  }
}

/** The transport could not be opened (ssh failed, TCP refused, …). */
export class DialError extends PhyllomeError {
  override name = 'DialError';
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('libvirt-dial-failed', message, options);
  }
}
