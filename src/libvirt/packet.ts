/** The 24-byte libvirt RPC header that follows each packet's 4-byte length. */
import { XdrError } from './xdr.js';

export const Program = {
  REMOTE: 0x20008086,
  QEMU: 0x20008087,
  KEEPALIVE: 0x6b656570,
} as const;

export const PROTOCOL_VERSION = 1;

export const PacketType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
  STREAM_HOLE: 6,
} as const;

export const PacketStatus = {
  OK: 0,
  ERROR: 1,
  CONTINUE: 2,
} as const;

export const KeepaliveProc = { PING: 1, PONG: 2 } as const;

/** VIR_NET_MESSAGE_MAX: the most a packet (without its length word) may hold. */
export const MAX_PACKET = 16 * 1024 * 1024;
export const LEN_SIZE = 4;
export const HEADER_SIZE = 24;
/** Events carry this serial regardless of what caused them. */
export const EVENT_SERIAL = 1;

export interface PacketHeader {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

export interface Packet extends PacketHeader {
  payload: Buffer;
}

/** A header field checked as Buffer's writeUInt32BE would, before a DataView (which wraps) writes it. */
function u32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new XdrError(`packet ${field} out of range: ${v}`);
  return v;
}

function i32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
    throw new XdrError(`packet ${field} out of range: ${v}`);
  return v;
}

/** One whole packet on the wire: length word, header, payload. */
export function encodePacket(h: PacketHeader, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const total = LEN_SIZE + HEADER_SIZE + payload.length;
  if (total - LEN_SIZE > MAX_PACKET) throw new XdrError(`packet of ${total} bytes exceeds libvirt's limit`);
  // Every byte is written below, so the buffer need not be zeroed first (small ones come from Node's pool).
  const out = Buffer.allocUnsafe(total);
  const view = new DataView(out.buffer, out.byteOffset, total);
  view.setUint32(0, total);
  view.setUint32(4, u32(h.prog, 'program'));
  view.setUint32(8, u32(h.vers, 'version'));
  view.setInt32(12, i32(h.proc, 'procedure'));
  view.setInt32(16, i32(h.type, 'type'));
  view.setUint32(20, u32(h.serial, 'serial'));
  view.setInt32(24, i32(h.status, 'status'));
  out.set(payload, LEN_SIZE + HEADER_SIZE);
  return out;
}

/** Decode a whole frame (length word included). */
export function decodePacket(frame: Buffer): Packet {
  if (frame.length < LEN_SIZE + HEADER_SIZE)
    throw new XdrError(`frame of ${frame.length} bytes is shorter than a header`);
  // A DataView's getters are V8 builtins; Buffer's readUInt32BE is JavaScript that checks its offset.
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    prog: view.getUint32(4),
    vers: view.getUint32(8),
    proc: view.getInt32(12),
    type: view.getInt32(16),
    serial: view.getUint32(20),
    status: view.getInt32(24),
    payload: frame.subarray(LEN_SIZE + HEADER_SIZE),
  };
}
