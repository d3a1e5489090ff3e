/** libvirt's `remote_nonnull_*` object references and their codecs. */
import { type Codec, xfixedOpaque, xint, xoptional, xstring, xstruct } from './xdr.js';

/** REMOTE_STRING_MAX */
export const STRING_MAX = 4194304;
export const UUID_LEN = 16;

export const xname = xstring(STRING_MAX);
export const xostring = xoptional(xname);
export const xuuid = xfixedOpaque(UUID_LEN);

export interface DomainRef {
  name: string;
  uuid: Buffer;
  /** -1 while the domain is inactive. */
  id: number;
}
export interface NetworkRef {
  name: string;
  uuid: Buffer;
}
export type StoragePoolRef = NetworkRef;
export interface StorageVolRef {
  pool: string;
  name: string;
  key: string;
}
export interface SnapshotRef {
  name: string;
  dom: DomainRef;
}
export interface NodeDeviceRef {
  name: string;
}

export const xdomain: Codec<DomainRef> = xstruct({ name: xname, uuid: xuuid, id: xint });
export const xodomain = xoptional(xdomain);
export const xnetwork: Codec<NetworkRef> = xstruct({ name: xname, uuid: xuuid });
export const xpool: Codec<StoragePoolRef> = xstruct({ name: xname, uuid: xuuid });
export const xvol: Codec<StorageVolRef> = xstruct({ pool: xname, name: xname, key: xname });
export const xsnapshot: Codec<SnapshotRef> = xstruct({ name: xname, dom: xdomain });
export const xnodeDevice: Codec<NodeDeviceRef> = xstruct({ name: xname });

/** 16 raw bytes → the canonical 8-4-4-4-12 text form. */
export function uuidToString(uuid: Buffer): string {
  const h = uuid.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function uuidFromString(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`not a UUID: ${text}`);
  return Buffer.from(hex, 'hex');
}

export function isUuid(text: string): boolean {
  return /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(text);
}
