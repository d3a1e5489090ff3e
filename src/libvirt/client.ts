/**
 * The RPC core: one connection, serials from 1, a map of pending calls, and a router that hands
 * each incoming packet to the call waiting on its serial (REPLY), to a message handler by
 * program/procedure (events), or to a stream (STREAM). Keepalive PINGs are answered, and our own
 * PINGs detect a dead daemon. A dropped connection rejects everything pending at once.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthUnsupportedError, ConnectionClosedError, LibvirtError, xremoteError } from './errors.js';
import { Framer } from './framer.js';
import { PhyllomeError } from '../errors.js';
import {
  decodePacket,
  encodePacket,
  KeepaliveProc,
  type Packet,
  PacketStatus,
  PacketType,
  Program,
  PROTOCOL_VERSION,
} from './packet.js';
import { AuthType, Feature, type ProcedureDef, Proc } from './procedures.js';
import { RpcStream, type StreamHost, type StreamOptions } from './streams.js';
import type { Dialer } from './dialers/dialer.js';
import { XdrReader, XdrWriter, decodeWith } from './xdr.js';

export type DebugHook = (event: string, detail?: Record<string, unknown>) => void;

export interface ClientOptions {
  /** The URI passed to CONNECT_OPEN; '' lets the daemon choose. */
  name?: string;
  readOnly?: boolean;
  /** Seconds of silence before we PING (default 5, like the daemon). 0 disables our PINGs. */
  keepaliveInterval?: number;
  /** Unanswered PING rounds before the connection is declared dead (default 5). */
  keepaliveCount?: number;
  /** Told about anything unexpected on the wire: unknown serials, malformed frames, … */
  debug?: DebugHook;
}

/** VIR_CONNECT_RO */
const CONNECT_RO = 1;
const MAX_SERIAL = 0xffffffff;

interface Pending {
  procedure: string;
  decode: (payload: Buffer) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  stream: RpcStream | undefined;
}

type MessageHandler = (pkt: Packet) => void;

/** What the high-level API needs from a connection (plain or reconnecting). */
export interface RpcCaller {
  call<A, R>(def: ProcedureDef<A, R>, args: A): Promise<R>;
  openStream<A, R>(
    def: ProcedureDef<A, R>,
    args: A,
    options?: StreamOptions,
  ): Promise<{ ret: R; stream: RpcStream }>;
  /** Whether calls can be made now (false after the connection closed, until a redial succeeds). */
  readonly connected: boolean;
  /**
   * Sends the calls made so far now, not at the end of the tick (see `RpcClient.send`): for a caller
   * about to do synchronous work (reading files) while the daemon answers.
   */
  flush(): void;
}

export class RpcClient extends EventEmitter implements RpcCaller, StreamHost {
  private nextSerial = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, RpcStream>();
  /** Sparse read streams whose consumers fell behind: the socket is paused while any is here. */
  private readonly pausedBy = new Set<RpcStream>();
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly framer: Framer;
  private closedWith: Error | undefined;
  private closing = false;
  /** The socket is corked until the next tick (see `send`). */
  private corked = false;
  private lastInbound = Date.now();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private readonly debug: DebugHook;
  /** Resolves once the socket has closed, with the reason. */
  readonly closed: Promise<Error>;
  private resolveClosed!: (e: Error) => void;

  constructor(
    private readonly socket: Duplex,
    private readonly opts: ClientOptions = {},
  ) {
    super();
    this.debug = opts.debug ?? (() => undefined);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.framer = new Framer(
      (frame) => this.onFrame(frame),
      (problem) => {
        this.debug('malformed-frame', problem);
        this.fail(
          new ConnectionClosedError(`The daemon sent a malformed packet (length ${problem.length}).`),
        );
        socket.destroy();
      },
    );
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('error', (err) =>
      this.fail(new ConnectionClosedError(`Connection to libvirt failed: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.fail(new ConnectionClosedError()));
    socket.on('end', () => socket.end());
  }

  /** Dial, then authenticate, enable keepalive and open the connection. */
  static async connect(dialer: Dialer, opts: ClientOptions = {}): Promise<RpcClient> {
    const client = new RpcClient(await dialer.dial(), opts);
    try {
      await client.handshake();
    } catch (err) {
      client.socket.destroy();
      // A transport that knows why it died (ssh's exit reason) says so better than "closed".
      const cause = err instanceof ConnectionClosedError ? err.cause : undefined;
      throw cause instanceof PhyllomeError ? cause : err;
    }
    return client;
  }

  /**
   * AUTH_LIST first, alone; AUTH_POLKIT where the daemon asks for it; then SUPPORTS_FEATURE(keepalive)
   * and CONNECT_OPEN together. Calls before authentication are refused ("authentication required",
   * the connection stays up), and libvirtd's system socket counts root as authenticated only once it
   * has answered AUTH_LIST (its polkit bypass for root): its worker threads refuse a call that overtakes
   * it, and log each refusal as an error (9 in 50 commands here when the three were sent at once).
   */
  async handshake(): Promise<void> {
    const { types } = await this.call(Proc.AuthList, undefined);
    if (!types.includes(AuthType.NONE)) {
      if (!types.includes(AuthType.POLKIT)) throw new AuthUnsupportedError(types);
      await this.call(Proc.AuthPolkit, undefined);
    }
    const [{ supported }] = await Promise.all([
      this.call(Proc.ConnectSupportsFeature, { feature: Feature.PROGRAM_KEEPALIVE }),
      this.call(Proc.ConnectOpen, { name: this.opts.name ?? '', flags: this.opts.readOnly ? CONNECT_RO : 0 }),
    ]);
    if (supported) this.startKeepalive();
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  get connected(): boolean {
    return !this.isClosed;
  }

  /** How many calls are waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  call<A, R>(def: ProcedureDef<A, R>, args: A): Promise<R> {
    return this.callRaw(
      def.prog,
      def.num,
      (w) => def.args.encode(w, args),
      (r) => def.ret.decode(r),
      def.name,
    );
  }

  /** A call whose reply is followed by stream packets; the stream is routed until it completes. */
  async openStream<A, R>(
    def: ProcedureDef<A, R>,
    args: A,
    options: StreamOptions = {},
  ): Promise<{ ret: R; stream: RpcStream }> {
    const stream = new RpcStream(this, def.name, def.stream ?? 'read', def.prog, def.num, options);
    const ret = await this.callRaw(
      def.prog,
      def.num,
      (w) => def.args.encode(w, args),
      (r) => def.ret.decode(r),
      def.name,
      stream,
    );
    return { ret, stream };
  }

  /** The one path every call takes. */
  callRaw<R>(
    prog: number,
    proc: number,
    encodeArgs: (w: XdrWriter) => void,
    decodeRet: (r: XdrReader) => R,
    procedure = `${prog.toString(16)}:${proc}`,
    stream?: RpcStream,
  ): Promise<R> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const w = new XdrWriter();
    encodeArgs(w);
    const serial = this.takeSerial();
    return new Promise<R>((resolve, reject) => {
      this.pending.set(serial, {
        procedure,
        decode: (payload) => decodeWith({ encode: () => undefined, decode: decodeRet }, payload),
        resolve: resolve as (v: unknown) => void,
        reject,
        stream,
      });
      if (stream) {
        stream.serial = serial;
        this.streams.set(serial, stream);
      }
      this.send(
        { prog, vers: PROTOCOL_VERSION, proc, type: PacketType.CALL, serial, status: PacketStatus.OK },
        w.bytes(),
      );
    });
  }

  /** Route MESSAGE packets of (prog, proc) to `handler`. */
  onMessage(prog: number, proc: number, handler: MessageHandler): void {
    this.handlers.set(`${prog}:${proc}`, handler);
  }

  /** CONNECT_CLOSE, then end the socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closedWith || this.closing) {
      await this.closed;
      return;
    }
    this.closing = true;
    try {
      await this.call(Proc.ConnectClose, undefined);
    } catch {
      // the daemon may already be gone; we are closing anyway
    }
    this.fail(new ConnectionClosedError('The connection was closed by this client.'));
    // A socket of the kernel's (unix, tcp) is let go at once: the daemon has answered the close, nothing
    // of ours is left to send, and waiting for its end of the shutdown is another round trip (~1 ms of
    // every command). A transport process (ssh) is ended, so that it closes its side in order.
    if (this.socket instanceof Socket && this.socket.writableLength === 0) {
      this.socket.destroy();
    } else {
      this.socket.end();
      // A daemon that vanished (its host or network gone) never answers the FIN, and the half-closed
      // socket would keep this process alive for the kernel's retransmission time (minutes): it is
      // destroyed if it has not closed soon.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    await this.closed;
  }

  // ---- StreamHost ----

  sendStream(stream: RpcStream, status: number, payload: Buffer = Buffer.alloc(0), hole = false): boolean {
    return this.send(
      {
        prog: stream.prog,
        vers: PROTOCOL_VERSION,
        proc: stream.proc,
        type: hole ? PacketType.STREAM_HOLE : PacketType.STREAM,
        serial: stream.serial,
        status,
      },
      payload,
    );
  }

  waitDrain(): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.off('closed-internal', onClose);
        resolve();
      };
      const onClose = (err: Error): void => {
        this.socket.off('drain', onDrain);
        reject(err);
      };
      this.socket.once('drain', onDrain);
      this.once('closed-internal', onClose);
    });
  }

  release(stream: RpcStream): void {
    if (this.streams.get(stream.serial) === stream) this.streams.delete(stream.serial);
    this.resumeInbound(stream);
  }

  /** True while a sparse read stream's slow consumer holds the connection's reading back. */
  get inboundPaused(): boolean {
    return this.pausedBy.size > 0;
  }

  pauseInbound(stream: RpcStream): void {
    this.pausedBy.add(stream);
    if (this.pausedBy.size === 1) this.socket.pause();
  }

  resumeInbound(stream: RpcStream): void {
    if (!this.pausedBy.delete(stream)) return;
    if (this.pausedBy.size === 0) this.socket.resume();
  }

  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  // ---- internals ----

  private takeSerial(): number {
    const s = this.nextSerial;
    this.nextSerial = s >= MAX_SERIAL ? 1 : s + 1;
    return s;
  }

  private send(header: Parameters<typeof encodePacket>[0], payload: Buffer): boolean {
    if (this.closedWith || this.socket.destroyed) return true;
    // Packets sent in one tick leave together, in order: the socket is corked until the next tick, so
    // 200 calls made at once (a metadata call per VM) are one write to the socket, not 200.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.flush());
    }
    return this.socket.write(encodePacket(header, payload));
  }

  private onFrame(frame: Buffer): void {
    this.lastInbound = Date.now();
    let pkt: Packet;
    try {
      pkt = decodePacket(frame);
    } catch (err) {
      this.debug('undecodable-frame', { error: (err as Error).message });
      return;
    }
    if (pkt.prog === Program.KEEPALIVE) {
      this.onKeepalive(pkt);
      return;
    }
    switch (pkt.type) {
      case PacketType.REPLY:
        this.onReply(pkt);
        return;
      case PacketType.MESSAGE:
        this.onMessagePacket(pkt);
        return;
      case PacketType.STREAM:
      case PacketType.STREAM_HOLE: {
        // The daemon may send stream data before the REPLY of the call that opened the stream
        // (seen with DOMAIN_SCREENSHOT), so the stream is routed from the moment of the call.
        const stream = this.streams.get(pkt.serial);
        if (stream) stream.handlePacket(pkt);
        else
          this.debug('stream-packet-without-stream', {
            serial: pkt.serial,
            proc: pkt.proc,
            status: pkt.status,
          });
        return;
      }
      default:
        this.debug('unexpected-packet-type', { type: pkt.type, proc: pkt.proc, serial: pkt.serial });
    }
  }

  private onReply(pkt: Packet): void {
    const call = this.pending.get(pkt.serial);
    if (!call) {
      // A late error on a stream's serial (e.g. an upload the daemon rejected midway).
      const stream = this.streams.get(pkt.serial);
      if (stream && pkt.status === PacketStatus.ERROR) {
        stream.fail(this.decodeError(pkt.payload, stream.procedure));
        return;
      }
      this.debug('reply-for-unknown-serial', { serial: pkt.serial, proc: pkt.proc, status: pkt.status });
      return;
    }
    this.pending.delete(pkt.serial);
    if (pkt.status === PacketStatus.OK) {
      try {
        call.resolve(call.decode(pkt.payload));
      } catch (err) {
        if (call.stream) call.stream.fail(err as Error);
        call.reject(err as Error);
      }
      return;
    }
    const err = this.decodeError(pkt.payload, call.procedure);
    if (call.stream) {
      this.streams.delete(pkt.serial);
      call.stream.discard();
    }
    call.reject(err);
  }

  private decodeError(payload: Buffer, procedure: string): Error {
    try {
      return new LibvirtError(decodeWith(xremoteError, payload), procedure);
    } catch (err) {
      return err as Error;
    }
  }

  private onMessagePacket(pkt: Packet): void {
    const handler = this.handlers.get(`${pkt.prog}:${pkt.proc}`);
    if (!handler) {
      this.debug('unhandled-message', { prog: pkt.prog, proc: pkt.proc });
      return;
    }
    try {
      handler(pkt);
    } catch (err) {
      this.debug('message-handler-failed', { proc: pkt.proc, error: (err as Error).message });
    }
  }

  private onKeepalive(pkt: Packet): void {
    if (pkt.proc === KeepaliveProc.PING) {
      this.sendKeepalive(KeepaliveProc.PONG);
      this.emit('ping');
    } else if (pkt.proc !== KeepaliveProc.PONG) {
      this.debug('unknown-keepalive', { proc: pkt.proc });
    }
  }

  private sendKeepalive(proc: number): void {
    this.send(
      {
        prog: Program.KEEPALIVE,
        vers: PROTOCOL_VERSION,
        proc,
        type: PacketType.MESSAGE,
        serial: 0,
        status: PacketStatus.OK,
      },
      Buffer.alloc(0),
    );
  }

  private startKeepalive(): void {
    const intervalS = this.opts.keepaliveInterval ?? 5;
    if (intervalS <= 0) return;
    const count = this.opts.keepaliveCount ?? 5;
    const intervalMs = intervalS * 1000;
    this.keepaliveTimer = setInterval(() => {
      const silent = Date.now() - this.lastInbound;
      if (silent >= intervalMs * (count + 1)) {
        this.debug('keepalive-timeout', { silentMs: silent });
        this.fail(
          new ConnectionClosedError(
            `The libvirt daemon stopped answering (silent for ${Math.round(silent / 1000)} s).`,
          ),
        );
        this.socket.destroy();
      } else if (silent >= intervalMs) {
        this.sendKeepalive(KeepaliveProc.PING);
      }
    }, intervalMs);
    this.keepaliveTimer.unref();
  }

  /** Reject everything pending and every stream, once. */
  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    const calls = [...this.pending.values()];
    const streams = [...this.streams.values()];
    this.pending.clear();
    this.streams.clear();
    for (const c of calls) c.reject(err);
    for (const s of streams) s.handleConnectionLost(err);
    this.emit('closed-internal', err);
    this.resolveClosed(err);
    this.emit('close', err);
  }
}
