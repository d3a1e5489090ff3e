/**
 * A libvirt data stream bound to one call's serial, exposed as a Node Duplex.
 * Read side: STREAM/CONTINUE data; an empty CONTINUE is EOF, after which we send STREAM/OK
 * ("finish") and end once the daemon confirms with STREAM/OK. Write side: CONTINUE chunks of
 * at most 256 KiB, honouring socket backpressure; ending sends STREAM/OK and waits for the
 * daemon's STREAM/OK. Destroying early aborts (empty STREAM/ERROR).
 *
 * A sparse stream (opened with a procedure's SPARSE_STREAM flag) also carries holes: STREAM_HOLE
 * packets (status CONTINUE, payload `virNetStreamHole {hyper length; unsigned flags}`) that stand for
 * `length` zero bytes never sent. Such a stream is in object mode: it reads and writes `Buffer`s and
 * `StreamHole`s, in order, so download → upload piping keeps the holes. Its read side applies
 * backpressure: when the consumer falls behind, the connection stops reading until it catches up.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { LibvirtError, xremoteError } from './errors.js';
import { type Packet, PacketStatus, PacketType } from './packet.js';
import type { StreamDirection } from './procedures.js';
import { type Codec, decodeWith, encodeWith, xhyper, xstruct, xuint } from './xdr.js';

/** The most data one STREAM/CONTINUE packet carries (libvirt's VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX). */
export const STREAM_CHUNK_MAX = 256 * 1024;

/** `length` bytes of zeros that a sparse stream skips rather than sends. */
export class StreamHole {
  constructor(readonly length: number) {}
}

/** What one sparse stream chunk is: data, or a hole. */
export type StreamChunk = Buffer | StreamHole;

/** virNetStreamHole, the payload of a STREAM_HOLE packet. */
export const xstreamHole: Codec<{ length: bigint; flags: number }> = xstruct({
  length: xhyper,
  flags: xuint,
});

/** What a stream needs from the client that owns it. */
export interface StreamHost {
  /** Send one STREAM (or, with `hole`, STREAM_HOLE) packet on the stream's serial; false means "wait for drain". */
  sendStream(stream: RpcStream, status: number, payload?: Buffer, hole?: boolean): boolean;
  waitDrain(): Promise<void>;
  /** The stream needs no more routing. */
  release(stream: RpcStream): void;
  /** A sparse read stream's consumer fell behind: stop reading the connection until `resumeInbound`. */
  pauseInbound?(stream: RpcStream): void;
  resumeInbound?(stream: RpcStream): void;
}

export interface StreamOptions {
  /** Carries holes (the procedure was called with its SPARSE_STREAM flag): object mode. */
  sparse?: boolean;
}

type State = 'open' | 'finishing' | 'aborting' | 'done';

export class RpcStream extends Duplex {
  serial = 0;
  private state: State = 'open';
  private finishWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private paused = false;
  readonly sparse: boolean;

  constructor(
    private readonly host: StreamHost,
    readonly procedure: string,
    readonly direction: StreamDirection,
    readonly prog: number,
    readonly proc: number,
    options: StreamOptions = {},
  ) {
    super({
      readable: direction !== 'write',
      writable: direction !== 'read',
      allowHalfOpen: true,
      objectMode: options.sparse === true,
    } as DuplexOptions);
    this.sparse = options.sparse === true;
  }

  /** Called by the client for every STREAM packet (and errors) on this serial. */
  handlePacket(pkt: Packet): void {
    if (pkt.type === PacketType.STREAM_HOLE) {
      this.handleHole(pkt);
      return;
    }
    if (pkt.status === PacketStatus.CONTINUE) {
      if (this.state !== 'open' && this.state !== 'finishing') return; // data racing our abort
      if (pkt.payload.length === 0) {
        this.sendFinish();
        return;
      }
      if (this.direction !== 'write') this.deliver(Buffer.from(pkt.payload));
      return;
    }
    if (pkt.status === PacketStatus.OK) {
      this.complete();
      return;
    }
    this.fail(this.decodeError(pkt.payload));
  }

  private handleHole(pkt: Packet): void {
    if (this.state !== 'open' && this.state !== 'finishing') return;
    if (!this.sparse || this.direction === 'write') {
      this.fail(new Error(`${this.procedure}: the daemon sent a stream hole on a stream that is not sparse`));
      return;
    }
    let length: bigint;
    try {
      ({ length } = decodeWith(xstreamHole, pkt.payload));
    } catch (cause) {
      this.fail(cause as Error);
      return;
    }
    if (length < 0n || length > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(new Error(`${this.procedure}: the daemon sent a stream hole of ${length} bytes`));
      return;
    }
    if (length > 0n) this.deliver(new StreamHole(Number(length)));
  }

  private deliver(chunk: StreamChunk): void {
    if (!this.push(chunk) && this.sparse && !this.paused && this.host.pauseInbound) {
      this.paused = true;
      this.host.pauseInbound(this);
    }
  }

  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.host.resumeInbound?.(this);
  }

  /** The connection died under the stream. */
  handleConnectionLost(err: Error): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.finishWaiter?.reject(err);
    this.finishWaiter = undefined;
    this.destroy(err);
  }

  /** Abort the transfer (libvirt's virStreamAbort) and wait for the daemon to confirm. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    const confirmed = this.awaitConfirmation();
    this.state = 'aborting';
    this.host.sendStream(this, PacketStatus.ERROR);
    try {
      await confirmed;
    } finally {
      this.destroy();
    }
  }

  override _read(): void {
    // Data is pushed as it arrives; only a sparse stream (a disk copy) pauses the connection when its
    // consumer falls behind, and resumes it here.
    this.unpause();
  }

  override _write(chunk: StreamChunk, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (chunk instanceof StreamHole) {
      this.writeHole(chunk).then(() => cb(), cb);
      return;
    }
    this.writeChunks(chunk).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.direction === 'read') {
      cb();
      return;
    }
    if (this.state === 'done') {
      cb();
      return;
    }
    const confirmed = this.awaitConfirmation();
    this.sendFinish();
    confirmed.then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.unpause();
    if (this.state === 'open' || this.state === 'finishing') {
      // Abandoned early: tell the daemon, but do not wait (its OK is absorbed by the client).
      this.state = 'aborting';
      this.host.sendStream(this, PacketStatus.ERROR);
    }
    cb(err);
  }

  private async writeChunks(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; off += STREAM_CHUNK_MAX) {
      if (this.state !== 'open') throw new Error('stream is no longer open for writing');
      const piece = chunk.subarray(off, Math.min(chunk.length, off + STREAM_CHUNK_MAX));
      if (!this.host.sendStream(this, PacketStatus.CONTINUE, piece)) await this.host.waitDrain();
    }
  }

  private async writeHole(hole: StreamHole): Promise<void> {
    if (!this.sparse)
      throw new Error(`${this.procedure}: a hole cannot be written to a stream that is not sparse`);
    if (this.state !== 'open') throw new Error('stream is no longer open for writing');
    if (hole.length <= 0) return;
    const payload = encodeWith(xstreamHole, { length: BigInt(hole.length), flags: 0 });
    if (!this.host.sendStream(this, PacketStatus.CONTINUE, payload, true)) await this.host.waitDrain();
  }

  private sendFinish(): void {
    if (this.state !== 'open') return;
    this.state = 'finishing';
    this.host.sendStream(this, PacketStatus.OK);
  }

  private awaitConfirmation(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.finishWaiter = { resolve, reject };
    });
  }

  private complete(): void {
    this.unpause();
    const wasAborting = this.state === 'aborting';
    this.state = 'done';
    this.host.release(this);
    this.finishWaiter?.resolve();
    this.finishWaiter = undefined;
    if (!wasAborting && this.direction !== 'write' && !this.readableEnded) this.push(null);
  }

  /** The call that would have opened the stream failed: drop it quietly (nobody holds it). */
  discard(): void {
    this.state = 'done';
    this.destroy();
  }

  /** An error from the daemon on this stream's serial. */
  fail(err: Error): void {
    if (this.state === 'done') return;
    this.unpause();
    this.state = 'done';
    this.host.release(this);
    const waiter = this.finishWaiter;
    this.finishWaiter = undefined;
    waiter?.reject(err);
    this.destroy(err);
  }

  private decodeError(payload: Buffer): Error {
    if (payload.length === 0)
      return new LibvirtError({ ...EMPTY_ERROR, message: 'stream aborted by the daemon' }, this.procedure);
    try {
      return new LibvirtError(decodeWith(xremoteError, payload), this.procedure);
    } catch (cause) {
      return cause as Error;
    }
  }
}

const EMPTY_ERROR = {
  code: 0,
  domain: 0,
  message: null,
  level: 0,
  dom: null,
  str1: null,
  str2: null,
  str3: null,
  int1: 0,
  int2: 0,
  net: null,
};
