/**
 * Test helper: a fake libvirt daemon on a unix socket or loopback TCP port. It frames incoming
 * bytes into packets, records them, and lets a test answer with exact byte frames.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xremoteError, type RemoteError } from './errors.js';
import { Framer } from './framer.js';
import {
  decodePacket,
  encodePacket,
  type Packet,
  PacketStatus,
  PacketType,
  Program,
  PROTOCOL_VERSION,
} from './packet.js';
import { Proc } from './procedures.js';
import { xstreamHole } from './streams.js';
import { type Codec, encodeWith } from './xdr.js';

/** Bytes from annotated hex: whitespace and `# comments` are ignored. */
export function hex(text: string): Buffer {
  const clean = text
    .split('\n')
    .map((l) => l.replace(/#.*/, ''))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(clean, 'hex');
}

export type CallHandler = (pkt: Packet, conn: FakeConnection) => void;

/** A remote_error as the daemon sends it: the given fields, the usual defaults for the rest. */
export function remoteError(
  err: Partial<RemoteError> & { code: number; message: string | null },
): RemoteError {
  return {
    domain: 10,
    level: 2,
    dom: null,
    str1: null,
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
    net: null,
    ...err,
  };
}

export class FakeConnection {
  readonly received: Packet[] = [];
  private waiters: { pred: (p: Packet) => boolean; resolve: (p: Packet) => void }[] = [];

  constructor(
    readonly socket: Socket,
    private readonly handler: CallHandler,
  ) {
    const framer = new Framer(
      (frame) => this.onPacket(decodePacket(frame)),
      () => socket.destroy(),
    );
    socket.on('data', (c: Buffer) => framer.push(c));
    socket.on('error', () => undefined);
  }

  private onPacket(pkt: Packet): void {
    this.received.push(pkt);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(pkt)) return true;
      w.resolve(pkt);
      return false;
    });
    this.handler(pkt, this);
  }

  /** The first packet (already received or future) matching `pred`. */
  waitFor(pred: (p: Packet) => boolean): Promise<Packet> {
    const seen = this.received.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  reply<R>(call: Packet, codec: Codec<R>, value: R): void {
    this.replyBytes(call, encodeWith(codec, value));
  }

  replyBytes(call: Packet, payload: Buffer): void {
    this.write(encodePacket({ ...call, type: PacketType.REPLY, status: PacketStatus.OK }, payload));
  }

  replyError(call: Packet, err: Partial<RemoteError> & { code: number; message: string | null }): void {
    const full = remoteError(err);
    this.write(
      encodePacket(
        { ...call, type: PacketType.REPLY, status: PacketStatus.ERROR },
        encodeWith(xremoteError, full),
      ),
    );
  }

  /** An event message: type MESSAGE, serial 1, like the real daemon. */
  event(proc: number, payload: Buffer): void {
    this.write(
      encodePacket(
        {
          prog: Program.REMOTE,
          vers: PROTOCOL_VERSION,
          proc,
          type: PacketType.MESSAGE,
          serial: 1,
          status: PacketStatus.OK,
        },
        payload,
      ),
    );
  }

  stream(call: Packet, status: number, payload: Buffer = Buffer.alloc(0)): void {
    this.write(encodePacket({ ...call, type: PacketType.STREAM, status }, payload));
  }

  /** A STREAM_HOLE packet on the call's serial: `length` bytes of zeros, not sent. */
  hole(call: Packet, length: bigint): void {
    this.write(
      encodePacket(
        { ...call, type: PacketType.STREAM_HOLE, status: PacketStatus.CONTINUE },
        encodeWith(xstreamHole, { length, flags: 0 }),
      ),
    );
  }

  ping(): void {
    this.write(
      encodePacket({
        prog: Program.KEEPALIVE,
        vers: 1,
        proc: 1,
        type: PacketType.MESSAGE,
        serial: 0,
        status: 0,
      }),
    );
  }
}

/** Answers the handshake (AUTH_LIST → [0], features, CONNECT_OPEN/CLOSE); returns true when it did. */
export function answerHandshake(
  pkt: Packet,
  conn: FakeConnection,
  opts: { keepalive?: boolean } = {},
): boolean {
  if (pkt.prog !== Program.REMOTE || pkt.type !== PacketType.CALL) return false;
  switch (pkt.proc) {
    case Proc.AuthList.num:
      conn.reply(pkt, Proc.AuthList.ret, { types: [0] });
      return true;
    case Proc.ConnectSupportsFeature.num:
      conn.reply(pkt, Proc.ConnectSupportsFeature.ret, { supported: opts.keepalive === false ? 0 : 1 });
      return true;
    case Proc.ConnectOpen.num:
    case Proc.ConnectClose.num:
      conn.replyBytes(pkt, Buffer.alloc(0));
      return true;
    default:
      return false;
  }
}

export class FakeDaemon {
  readonly connections: FakeConnection[] = [];
  private connWaiters: ((c: FakeConnection) => void)[] = [];
  private dir: string | undefined;
  path = '';
  port = 0;

  private constructor(
    private readonly server: Server,
    handler: CallHandler,
  ) {
    server.on('connection', (sock) => {
      const conn = new FakeConnection(sock, handler);
      this.connections.push(conn);
      for (const w of this.connWaiters.splice(0)) w(conn);
    });
  }

  static async unix(handler: CallHandler): Promise<FakeDaemon> {
    const d = new FakeDaemon(createServer(), handler);
    d.dir = mkdtempSync(join(tmpdir(), 'phyllo-fake-libvirt-'));
    d.path = join(d.dir, 'libvirt-sock');
    await new Promise<void>((resolve) => d.server.listen(d.path, resolve));
    return d;
  }

  static async tcp(handler: CallHandler): Promise<FakeDaemon> {
    const d = new FakeDaemon(createServer(), handler);
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', resolve));
    const addr = d.server.address();
    d.port = typeof addr === 'object' && addr ? addr.port : 0;
    return d;
  }

  nextConnection(): Promise<FakeConnection> {
    return new Promise((resolve) => this.connWaiters.push(resolve));
  }

  /** Drop every client connection abruptly. */
  dropAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
