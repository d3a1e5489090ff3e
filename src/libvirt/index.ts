/** Phyllome's pure-TypeScript libvirt client. */
export * from './api.js';
export { RpcClient, type ClientOptions, type DebugHook, type RpcCaller } from './client.js';
export { ReconnectingClient, type ReconnectOptions } from './reconnecting.js';
export { dialerFor } from './connect.js';
export type { Dialer } from './dialers/dialer.js';
export { UnixDialer, SYSTEM_SOCKET } from './dialers/unix.js';
export { TcpDialer } from './dialers/tcp.js';
export {
  SshDialer,
  openSshChannel,
  sshTargetFromUri,
  type SshEndpoint,
  type SshTarget,
} from './dialers/ssh.js';
export { SessionDialer, sessionPaths } from './dialers/session.js';
export * from './errors.js';
export * from './events.js';
export * from './node-device-events.js';
export { lifecycleDetailName } from './lifecycle-detail.js';
export * from './flags.js';
export { Proc, EventProc, Feature, type ProcedureDef, type ProcName } from './procedures.js';
export { RpcStream, StreamHole, type StreamChunk } from './streams.js';
export { sparseChunks } from './sparse-chunks.js';
export { type TypedParam, type TypedParamValue, typedParamsToRecord } from './typed-params.js';
export type { DomainRef, NetworkRef, StoragePoolRef, StorageVolRef, SnapshotRef } from './types.js';
export { uuidToString, uuidFromString } from './types.js';
export { parseUri, defaultUri, isLocal, SESSION_URI, SYSTEM_URI, type LibvirtUri } from './uri.js';
