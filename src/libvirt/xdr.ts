/**
 * XDR (RFC 4506) encoding and decoding: a growable writer, a bounds-checked reader, and small
 * composable codecs (`struct`, `array`, `optional`, `union`, ...) from which every libvirt
 * procedure's arguments and results are described.
 */
import { PhyllomeError } from '../errors.js';

/** Raised when bytes from the daemon do not match the layout we expected. */
export class XdrError extends PhyllomeError {
  override name = 'XdrError';
  constructor(message: string) {
    super('libvirt-xdr', message, {
      hint: 'This is a protocol mismatch; please report it with the libvirt version.',
    });
  }
}

/** A DataView over exactly the bytes of `buf` (which may be a slice of a larger ArrayBuffer). */
function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class XdrWriter {
  private buf: Buffer;
  /** 32-bit values and doubles are written through it (see XdrReader), after the range checks below. */
  private view: DataView;
  private pos = 0;

  // Not zeroed: only bytes below `pos` are ever read, and every one of them is written (padding too).
  // Small buffers then come from Node's pool, not a new allocation each: one per call made.
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = viewOf(this.buf);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = viewOf(next);
  }

  /** Zero padding from `from` up to `to` (at most 3 bytes). */
  private zero(from: number, to: number): void {
    for (let i = from; i < to; i++) this.buf[i] = 0;
  }

  int(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
      throw new XdrError(`int out of range: ${v}`);
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  uint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new XdrError(`unsigned int out of range: ${v}`);
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  hyper(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  uhyper(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.int(v ? 1 : 0);
  }

  /** Fixed-length opaque: the bytes then zero padding, no length prefix. */
  fixedOpaque(bytes: Uint8Array, length: number): void {
    if (bytes.length !== length)
      throw new XdrError(`fixed opaque needs ${length} bytes, got ${bytes.length}`);
    const padded = pad4(length);
    this.ensure(padded);
    this.buf.set(bytes, this.pos);
    this.zero(this.pos + length, this.pos + padded);
    this.pos += padded;
  }

  /** Variable-length opaque: u32 length, bytes, padding. */
  opaque(bytes: Uint8Array, max = 0xffffffff): void {
    if (bytes.length > max) throw new XdrError(`opaque longer than its maximum ${max}`);
    this.uint(bytes.length);
    this.fixedOpaque(bytes, bytes.length);
  }

  /** As `opaque(Buffer.from(s, 'utf8'), max)`, the UTF-8 written in place. */
  string(s: string, max = 0xffffffff): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > max) throw new XdrError(`opaque longer than its maximum ${max}`);
    this.uint(n);
    const padded = pad4(n);
    this.ensure(padded);
    this.buf.write(s, this.pos, n, 'utf8');
    this.zero(this.pos + n, this.pos + padded);
    this.pos += padded;
  }

  get length(): number {
    return this.pos;
  }

  /** A copy-free view of what was written so far. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class XdrReader {
  private pos: number;
  /**
   * Numbers are read through a DataView: its getters are V8 builtins, fast from the first call, where
   * Buffer's readInt32BE & co. are JavaScript that validates its offset on every call (a fresh process
   * runs them in the interpreter: decoding the stats of 200 domains took twice as long).
   */
  private readonly view: DataView;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
    this.view = viewOf(buf);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new XdrError(
        `truncated XDR data: need ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos}`,
      );
    }
  }

  int(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  uint(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  hyper(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  uhyper(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Any nonzero value is true, as libvirt's own XDR does. */
  bool(): boolean {
    return this.uint() !== 0;
  }

  fixedOpaque(length: number): Buffer {
    const padded = pad4(length);
    this.need(padded);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += padded;
    return out;
  }

  opaque(max = 0xffffffff): Buffer {
    const n = this.uint();
    if (n > max) throw new XdrError(`opaque length ${n} exceeds its maximum ${max}`);
    return this.fixedOpaque(n);
  }

  string(max = 0xffffffff): string {
    const n = this.uint();
    if (n > max) throw new XdrError(`string length ${n} exceeds its maximum ${max}`);
    const padded = pad4(n);
    this.need(padded);
    // Decoded in place: no intermediate copy of the bytes (stats replies hold thousands of strings).
    const out = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += padded;
    return out;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** How one XDR type is written and read. */
export interface Codec<T> {
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

export type CodecType<C> = C extends Codec<infer T> ? T : never;

export const xint: Codec<number> = { encode: (w, v) => w.int(v), decode: (r) => r.int() };
export const xuint: Codec<number> = { encode: (w, v) => w.uint(v), decode: (r) => r.uint() };
export const xhyper: Codec<bigint> = { encode: (w, v) => w.hyper(v), decode: (r) => r.hyper() };
export const xuhyper: Codec<bigint> = { encode: (w, v) => w.uhyper(v), decode: (r) => r.uhyper() };
export const xdouble: Codec<number> = { encode: (w, v) => w.double(v), decode: (r) => r.double() };
export const xbool: Codec<boolean> = { encode: (w, v) => w.bool(v), decode: (r) => r.bool() };
export const xvoid: Codec<void> = { encode: () => undefined, decode: () => undefined };

export function xstring(max = 0xffffffff): Codec<string> {
  return { encode: (w, v) => w.string(v, max), decode: (r) => r.string(max) };
}

export function xopaque(max = 0xffffffff): Codec<Buffer> {
  return { encode: (w, v) => w.opaque(v, max), decode: (r) => r.opaque(max) };
}

export function xfixedOpaque(length: number): Codec<Buffer> {
  return { encode: (w, v) => w.fixedOpaque(v, length), decode: (r) => r.fixedOpaque(length) };
}

/** `T x[N]`: exactly N elements, no count. */
export function xfixedArray<T>(item: Codec<T>, length: number): Codec<T[]> {
  return {
    encode(w, v) {
      if (v.length !== length) throw new XdrError(`fixed array needs ${length} elements, got ${v.length}`);
      for (const x of v) item.encode(w, x);
    },
    decode(r) {
      const out: T[] = [];
      for (let i = 0; i < length; i++) out.push(item.decode(r));
      return out;
    },
  };
}

/** `T x<N>`: a u32 count, then the elements. */
export function xarray<T>(item: Codec<T>, max = 0xffffffff): Codec<T[]> {
  return {
    encode(w, v) {
      if (v.length > max) throw new XdrError(`array of ${v.length} exceeds its maximum ${max}`);
      w.uint(v.length);
      for (const x of v) item.encode(w, x);
    },
    decode(r) {
      const n = r.uint();
      if (n > max) throw new XdrError(`array count ${n} exceeds its maximum ${max}`);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.decode(r));
      return out;
    },
  };
}

/** `T *x`: a u32 presence flag then T; `null` stands for NULL. */
export function xoptional<T>(item: Codec<T>): Codec<T | null> {
  return {
    encode(w, v) {
      w.bool(v !== null && v !== undefined);
      if (v !== null && v !== undefined) item.encode(w, v);
    },
    decode: (r) => (r.bool() ? item.decode(r) : null),
  };
}

type Fields = Record<string, Codec<unknown>>;
export type StructType<F extends Fields> = { [K in keyof F]: CodecType<F[K]> };

/** A struct: the fields in the order they are listed. */
export function xstruct<F extends Fields>(fields: F): Codec<StructType<F>> {
  const entries = Object.entries(fields);
  return {
    encode(w, v) {
      for (const [k, c] of entries) c.encode(w, (v as Record<string, unknown>)[k]);
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [k, c] of entries) out[k] = c.decode(r);
      return out as StructType<F>;
    },
  };
}

/** A discriminated union: an i32 discriminant then the selected arm, as `{ tag, value }`. */
export function xunion<T extends Record<number, Codec<unknown>>>(
  arms: T,
): Codec<{ [K in keyof T & number]: { tag: K; value: CodecType<T[K]> } }[keyof T & number]> {
  return {
    encode(w, v) {
      const arm = arms[v.tag];
      if (!arm) throw new XdrError(`no union arm for discriminant ${v.tag}`);
      w.int(v.tag);
      arm.encode(w, v.value);
    },
    decode(r) {
      const tag = r.int();
      const arm = arms[tag];
      if (!arm) throw new XdrError(`no union arm for discriminant ${tag}`);
      return { tag, value: arm.decode(r) } as never;
    },
  };
}

/** Transform a codec's value (e.g. number ↔ literal union). */
export function xmap<A, B>(inner: Codec<A>, to: (a: A) => B, from: (b: B) => A): Codec<B> {
  return { encode: (w, v) => inner.encode(w, from(v)), decode: (r) => to(inner.decode(r)) };
}

export function encodeWith<T>(codec: Codec<T>, value: T): Buffer {
  const w = new XdrWriter();
  codec.encode(w, value);
  return w.bytes();
}

/** Decode and insist every byte was consumed. */
export function decodeWith<T>(codec: Codec<T>, bytes: Buffer): T {
  const r = new XdrReader(bytes);
  const v = codec.decode(r);
  if (r.remaining !== 0) throw new XdrError(`${r.remaining} unexpected trailing bytes after XDR value`);
  return v;
}
