import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Duplex, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { RpcClient } from './client.js';
import { connect, StorageVolume } from './api.js';
import { UnixDialer } from './dialers/unix.js';
import { TcpDialer } from './dialers/tcp.js';
import {
  AuthUnsupportedError,
  ConnectionClosedError,
  DaemonNotRunningError,
  ErrorCode,
  LibvirtError,
  xremoteError,
} from './errors.js';
import { answerHandshake, type CallHandler, FakeDaemon, hex, remoteError } from './fake-daemon.js';
import { decodePacket, type Packet, PacketStatus, PacketType, Program } from './packet.js';
import { EventProc, Proc } from './procedures.js';
import { ReconnectingClient } from './reconnecting.js';
import { STREAM_CHUNK_MAX } from './streams.js';
import { xdomain, type DomainRef } from './types.js';
import { decodeWith, encodeWith, xint, xstruct } from './xdr.js';

const UUID = Buffer.from('91ce8751a8b9494f8501e81a511b05d7', 'hex');
const dom = (name: string, id = -1): DomainRef => ({ name, uuid: UUID, id });
const isCall = (proc: number) => (p: Packet) => p.type === PacketType.CALL && p.proc === proc;
/** The procedures a fake daemon's first connection was called with, in order. */
const callsOf = (d: FakeDaemon) =>
  d.connections[0]!.received.filter((p) => p.type === PacketType.CALL).map((p) => p.proc);
/** The three calls of the handshake: AUTH_LIST, then the other two at once. */
const HANDSHAKE = [Proc.AuthList.num, Proc.ConnectSupportsFeature.num, Proc.ConnectOpen.num];
const lifecycleMsg = xstruct({ callbackID: xint, dom: xdomain, event: xint, detail: xint });

async function withDaemon(
  handler: CallHandler,
  body: (d: FakeDaemon) => Promise<void>,
  kind: 'unix' | 'tcp' = 'unix',
): Promise<void> {
  const d = kind === 'unix' ? await FakeDaemon.unix(handler) : await FakeDaemon.tcp(handler);
  try {
    await body(d);
  } finally {
    await d.close();
  }
}

const handshakeOnly: CallHandler = (p, c) => void answerHandshake(p, c);

test('handshake: AUTH_LIST → SUPPORTS_FEATURE(keepalive) → CONNECT_OPEN, serials from 1; close sends CONNECT_CLOSE', async () => {
  await withDaemon(handshakeOnly, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path), { name: 'qemu:///system' });
    const conn = d.connections[0];
    assert.ok(conn);
    const calls = conn.received.filter((p) => p.type === PacketType.CALL);
    assert.deepEqual(
      calls.map((p) => [p.proc, p.serial]),
      [
        [Proc.AuthList.num, 1],
        [Proc.ConnectSupportsFeature.num, 2],
        [Proc.ConnectOpen.num, 3],
      ],
    );
    assert.deepEqual(decodeWith(Proc.ConnectSupportsFeature.args, calls[1]?.payload ?? Buffer.alloc(0)), {
      feature: 10,
    });
    // CONNECT_OPEN args on the wire: remote_string (pointer flag 1) + flags 0
    assert.equal(
      calls[2]?.payload.toString('hex'),
      hex('00000001 0000000e 71656d753a2f2f2f73797374656d0000 00000000').toString('hex'),
    );
    await client.close();
    assert.ok(conn.received.some(isCall(Proc.ConnectClose.num)));
    assert.ok(client.isClosed);
    await assert.rejects(client.call(Proc.ConnectGetHostname, undefined), ConnectionClosedError);
  });
});

test('polkit is answered when offered; SASL-only is a typed error', async () => {
  let offer = [2];
  const handler: CallHandler = (p, c) => {
    if (p.proc === Proc.AuthList.num) return c.reply(p, Proc.AuthList.ret, { types: offer });
    if (p.proc === Proc.AuthPolkit.num) {
      authed.add(c);
      return c.reply(p, Proc.AuthPolkit.ret, { complete: 1 });
    }
    // as libvirtd: every other call before the authentication is refused, the connection stays up
    if (p.proc !== Proc.ConnectClose.num && !authed.has(c))
      return c.replyError(p, { code: ErrorCode.RPC, message: 'authentication required' });
    answerHandshake(p, c);
  };
  const authed = new Set<unknown>();
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    // after AUTH_POLKIT, never before
    assert.deepEqual(callsOf(d), [
      Proc.AuthList.num,
      Proc.AuthPolkit.num,
      Proc.ConnectSupportsFeature.num,
      Proc.ConnectOpen.num,
    ]);
    await client.close();
    offer = [1];
    await assert.rejects(RpcClient.connect(new UnixDialer(d.path)), AuthUnsupportedError);
  });
});

test("nothing overtakes AUTH_LIST: libvirtd's worker threads would refuse it before the answer (root on its polkit socket)", async () => {
  // As libvirtd: root counts as authenticated once AUTH_LIST is answered; any other call before that
  // is refused (and logged as an error by the daemon). The answer is held a while, to give a call
  // sent too early the time to arrive.
  let answered = false;
  const early: number[] = [];
  const handler: CallHandler = (p, c) => {
    if (p.proc === Proc.AuthList.num) {
      setTimeout(() => {
        answered = true;
        answerHandshake(p, c);
      }, 30);
      return;
    }
    if (!answered) {
      early.push(p.proc);
      return c.replyError(p, { code: ErrorCode.RPC, message: 'authentication required' });
    }
    answerHandshake(p, c);
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    assert.deepEqual(early, [], 'no call before the answer');
    assert.deepEqual(callsOf(d), HANDSHAKE);
    await client.close();
  });
});

test('a CONNECT_OPEN the daemon refuses for another reason is not asked again', async () => {
  const handler: CallHandler = (p, c) => {
    if (p.proc === Proc.ConnectOpen.num)
      return c.replyError(p, { code: ErrorCode.NO_CONNECT, message: 'no connection driver available' });
    answerHandshake(p, c);
  };
  await withDaemon(handler, async (d) => {
    await assert.rejects(RpcClient.connect(new UnixDialer(d.path)), /no connection driver available/);
    const opens = d.connections[0]!.received.filter(isCall(Proc.ConnectOpen.num));
    assert.equal(opens.length, 1);
  });
});

test('a daemon error decodes into LibvirtError with all fields', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    c.replyError(p, { code: ErrorCode.NO_DOMAIN, message: 'Domain not found', str1: 'Domain not found: %s' });
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    await assert.rejects(client.call(Proc.DomainLookupByName, { name: 'nope' }), (err: unknown) => {
      assert.ok(err instanceof LibvirtError);
      assert.equal(err.libvirtCode, 42);
      assert.equal(err.libvirtDomain, 10);
      assert.equal(err.remote.str1, 'Domain not found: %s');
      assert.equal(err.remote.int1, -1);
      assert.equal(err.procedure, 'DomainLookupByName');
      return true;
    });
    await client.close();
  });
});

test('an event that arrives before the reply that caused it is delivered, and the reply still resolves', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectDomainEventCallbackRegisterAny.num) {
      return c.reply(p, Proc.ConnectDomainEventCallbackRegisterAny.ret, { callbackID: 7 });
    }
    if (p.proc === Proc.DomainDefineXmlFlags.num) {
      c.event(
        EventProc.DomainEventCallbackLifecycle,
        encodeWith(lifecycleMsg, { callbackID: 7, dom: dom('ev1'), event: 0, detail: 0 }),
      );
      return c.reply(p, Proc.DomainDefineXmlFlags.ret, { dom: dom('ev1') });
    }
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const sub = await lv.events.lifecycle();
    const seen: string[] = [];
    sub.on((e) => seen.push(`listener:${e.event}`));
    const defined = await lv.domains.define('<domain/>');
    assert.equal(defined.name, 'ev1');
    const e = await sub.next();
    assert.deepEqual(e && { kind: e.kind, name: e.dom.name, event: e.event, detail: e.detail }, {
      kind: 'lifecycle',
      name: 'ev1',
      event: 'defined',
      detail: 0,
    });
    assert.deepEqual(seen, ['listener:defined']);
    const reg = d.connections[0]?.received.find(isCall(Proc.ConnectDomainEventCallbackRegisterAny.num));
    assert.deepEqual(
      decodeWith(Proc.ConnectDomainEventCallbackRegisterAny.args, reg?.payload ?? Buffer.alloc(0)),
      {
        eventID: 0,
        dom: null,
      },
    );
    await lv.close();
    assert.equal(await sub.next(), undefined, 'closing ends the iterator');
  });
});

test('a slow event consumer never blocks calls: events queue per subscriber', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectDomainEventCallbackRegisterAny.num) {
      return c.reply(p, Proc.ConnectDomainEventCallbackRegisterAny.ret, { callbackID: 1 });
    }
    if (p.proc === Proc.ConnectGetHostname.num) {
      for (let i = 0; i < 100; i++) {
        c.event(
          EventProc.DomainEventCallbackLifecycle,
          encodeWith(lifecycleMsg, { callbackID: 1, dom: dom(`d${i}`), event: 2, detail: 0 }),
        );
      }
      return c.reply(p, Proc.ConnectGetHostname.ret, { hostname: 'fake' });
    }
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const sub = await lv.events.lifecycle();
    assert.equal(await lv.hostname(), 'fake');
    assert.equal(sub.queued, 100);
    const names: string[] = [];
    for await (const e of sub) {
      names.push(e.dom.name);
      if (names.length === 100) break;
    }
    assert.equal(names[99], 'd99');
    await lv.close();
  });
});

test('keepalive: a PING is answered with a PONG; our own PINGs go out when idle', async () => {
  await withDaemon(handshakeOnly, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path), { keepaliveInterval: 0.05 });
    const conn = d.connections[0];
    assert.ok(conn);
    conn.ping();
    const pong = await conn.waitFor((p) => p.prog === Program.KEEPALIVE && p.proc === 2);
    assert.deepEqual(
      [pong.type, pong.serial, pong.status, pong.payload.length],
      [PacketType.MESSAGE, 0, 0, 0],
    );
    const ping = await conn.waitFor((p) => p.prog === Program.KEEPALIVE && p.proc === 1);
    assert.equal(ping.serial, 0);
    await client.close();
  });
});

test('a silent daemon is detected by keepalive and pending calls are rejected', async () => {
  const handler: CallHandler = (p, c) =>
    void (p.proc !== Proc.ConnectGetHostname.num && answerHandshake(p, c));
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path), {
      keepaliveInterval: 0.02,
      keepaliveCount: 2,
    });
    await assert.rejects(client.call(Proc.ConnectGetHostname, undefined), (err: unknown) => {
      assert.ok(err instanceof ConnectionClosedError);
      assert.match(err.message, /stopped answering/);
      return true;
    });
  });
});

test('a dropped connection rejects every pending call and stream at once', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.StorageVolDownload.num) c.replyBytes(p, Buffer.alloc(0));
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const { stream } = await client.openStream(Proc.StorageVolDownload, {
      vol: { pool: 'p', name: 'v', key: 'k' },
      offset: 0n,
      length: 0n,
      flags: 0,
    });
    const streamErr = new Promise<unknown>((resolve) => stream.once('error', resolve));
    const calls = Array.from({ length: 10 }, (_, i) =>
      client.call(Proc.DomainLookupByName, { name: `x${i}` }),
    );
    const settled = Promise.allSettled(calls);
    await d.connections[0]?.waitFor(
      (p) =>
        isCall(Proc.DomainLookupByName.num)(p) &&
        decodeWith(Proc.DomainLookupByName.args, p.payload).name === 'x9',
    );
    assert.equal(client.pendingCount, 10);
    d.dropAll();
    const results = await settled;
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof ConnectionClosedError));
    assert.ok((await streamErr) instanceof ConnectionClosedError);
    assert.equal(client.pendingCount, 0);
  });
});

test('500 concurrent calls answered in reverse order each get their own answer', async () => {
  const held: Packet[] = [];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    held.push(p);
    if (held.length === 500) {
      for (const call of held.reverse()) {
        const { name } = decodeWith(Proc.DomainLookupByName.args, call.payload);
        c.reply(call, Proc.DomainLookupByName.ret, { dom: dom(name, call.serial) });
      }
    }
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const names = Array.from({ length: 500 }, (_, i) => `dom-${i}`);
    const results = await Promise.all(names.map((name) => client.call(Proc.DomainLookupByName, { name })));
    assert.deepEqual(
      results.map((r) => r.dom.name),
      names,
    );
    assert.equal(new Set(results.map((r) => r.dom.id)).size, 500, 'distinct serials');
    await client.close();
  });
});

test('calls made in one tick leave in one write, in the order they were made', async () => {
  const writes: Buffer[][] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      writes.push([chunk]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => c.chunk as Buffer));
      done();
    },
  });
  const client = new RpcClient(socket);
  const names = Array.from({ length: 200 }, (_, i) => `dom-${i}`);
  const calls = names.map((name) => client.call(Proc.DomainLookupByName, { name }));
  for (const c of calls) c.catch(() => undefined);
  assert.equal(writes.length, 0, 'nothing written before the tick ends');
  await new Promise((resolve) => process.nextTick(resolve));
  assert.equal(writes.length, 1);
  const packets = writes[0]!.map((b) => decodePacket(b));
  assert.deepEqual(
    packets.map((p) => p.serial),
    names.map((_, i) => i + 1),
  );
  assert.deepEqual(
    packets.map((p) => decodeWith(Proc.DomainLookupByName.args, p.payload).name),
    names,
  );
  // A call in a later tick is a write of its own.
  client.call(Proc.DomainLookupByName, { name: 'later' }).catch(() => undefined);
  await new Promise((resolve) => process.nextTick(resolve));
  assert.equal(writes.length, 2);
  socket.destroy();
});

test('read stream: data, empty CONTINUE = EOF, client finish (STREAM/OK), server confirms', async () => {
  const chunks = [Buffer.alloc(262120, 1), Buffer.alloc(24, 2), Buffer.from('P6\n1 1\n255\n\x00\x00\x00')];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.type === PacketType.CALL && p.proc === Proc.DomainScreenshot.num) {
      c.reply(p, Proc.DomainScreenshot.ret, { mime: 'image/x-portable-pixmap' });
      for (const ch of chunks) c.stream(p, PacketStatus.CONTINUE, ch);
      c.stream(p, PacketStatus.CONTINUE);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const { ret, stream } = await client.openStream(Proc.DomainScreenshot, {
      dom: dom('x', 3),
      screen: 0,
      flags: 0,
    });
    assert.equal(ret.mime, 'image/x-portable-pixmap');
    const data = await buffer(stream);
    assert.deepEqual(data, Buffer.concat(chunks));
    const fromClient = d.connections[0]?.received.filter((p) => p.type === PacketType.STREAM) ?? [];
    assert.deepEqual(
      fromClient.map((p) => [p.proc, p.status, p.payload.length]),
      [[Proc.DomainScreenshot.num, PacketStatus.OK, 0]],
    );
    await client.close();
  });
});

test('write stream: CONTINUE chunks ≤ 256 KiB carrying every byte, then OK, resolving on the server confirmation', async () => {
  const data = Buffer.alloc(700 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const received: Buffer[] = [];
  const sizes: number[] = [];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.type === PacketType.CALL && p.proc === Proc.StorageVolUpload.num)
      return c.replyBytes(p, Buffer.alloc(0));
    if (p.type === PacketType.STREAM && p.status === PacketStatus.CONTINUE) {
      received.push(Buffer.from(p.payload));
      sizes.push(p.payload.length);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK)
      setTimeout(() => c.stream(p, PacketStatus.OK), 20);
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const conn = d.connections[0];
    const vol = new StorageVolume(lv.rpc, { pool: 'p', name: 'v', key: '/p/v' });
    await vol.upload(Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]));
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.equal(sha(Buffer.concat(received)), sha(data));
    assert.ok(
      sizes.every((s) => s > 0 && s <= STREAM_CHUNK_MAX),
      `chunk sizes ${sizes.join(',')}`,
    );
    const last = conn?.received.filter((p) => p.type === PacketType.STREAM).at(-1);
    assert.equal(last?.status, PacketStatus.OK, 'finish comes after the data');
    await lv.close();
  });
});

test('abort sends an empty STREAM/ERROR; a daemon STREAM/ERROR fails the stream with LibvirtError', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.type === PacketType.CALL && p.proc === Proc.StorageVolDownload.num) {
      c.replyBytes(p, Buffer.alloc(0));
      const { offset } = decodeWith(Proc.StorageVolDownload.args, p.payload);
      if (offset === 1n) {
        c.stream(p, PacketStatus.CONTINUE, Buffer.from('abc'));
        setTimeout(() => {
          const err = remoteError({
            code: ErrorCode.OPERATION_FAILED,
            domain: 18,
            message: 'disk went away',
          });
          c.stream(p, PacketStatus.ERROR, encodeWith(xremoteError, err));
        }, 10);
      }
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.ERROR) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const args = { vol: { pool: 'p', name: 'v', key: 'k' }, offset: 0n, length: 0n, flags: 0 };
    const a = await client.openStream(Proc.StorageVolDownload, args);
    await a.stream.abort();
    const sent = d.connections[0]?.received.filter((p) => p.type === PacketType.STREAM) ?? [];
    assert.deepEqual(
      sent.map((p) => [p.serial, p.status, p.payload.length]),
      [[a.stream.serial, PacketStatus.ERROR, 0]],
    );
    const b = await client.openStream(Proc.StorageVolDownload, { ...args, offset: 1n });
    await assert.rejects(buffer(b.stream), (err: unknown) => {
      assert.ok(err instanceof LibvirtError);
      assert.equal(err.message, 'disk went away');
      return true;
    });
    await client.close();
  });
});

test('unexpected packets and malformed frames reach the debug hook', async () => {
  const events: string[] = [];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectGetHostname.num) {
      c.replyBytes({ ...p, serial: 999 }, Buffer.alloc(0));
      c.event(4242, Buffer.alloc(0));
      c.write(hex('00000005 00'));
    }
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path), { debug: (e) => events.push(e) });
    await assert.rejects(client.call(Proc.ConnectGetHostname, undefined), ConnectionClosedError);
    assert.deepEqual(events, ['reply-for-unknown-serial', 'unhandled-message', 'malformed-frame']);
  });
});

test('the TCP dialer talks to a daemon on a loopback port', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectGetHostname.num)
      c.reply(p, Proc.ConnectGetHostname.ret, { hostname: 'over-tcp' });
  };
  await withDaemon(
    handler,
    async (d) => {
      const lv = await connect(`qemu+tcp://127.0.0.1:${d.port}/system`);
      assert.equal(await lv.hostname(), 'over-tcp');
      await lv.close();
    },
    'tcp',
  );
  await assert.rejects(new TcpDialer('127.0.0.1', 1).dial(), /Could not reach libvirt/);
});

test('a missing unix socket is DaemonNotRunningError naming the start command', async () => {
  await assert.rejects(new UnixDialer('/nonexistent/libvirt-sock').dial(), (err: unknown) => {
    assert.ok(err instanceof DaemonNotRunningError);
    assert.match(err.hint ?? '', /sudo systemctl start libvirtd/);
    assert.doesNotMatch(err.hint ?? '', /npm|scripts\//, 'names a command an installed phyllo has');
    return true;
  });
});

test('ReconnectingClient redials after a drop, re-registers events and emits reconnected', async () => {
  let nextCallback = 0;
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectDomainEventCallbackRegisterAny.num) {
      return c.reply(p, Proc.ConnectDomainEventCallbackRegisterAny.ret, { callbackID: nextCallback++ });
    }
  };
  await withDaemon(handler, async (d) => {
    const rc = await ReconnectingClient.connect(new UnixDialer(d.path), { initialDelayMs: 10 });
    const sub = await rc.events.subscribe('lifecycle');
    const reconnected = rc.waitForReconnect();
    const disconnected = new Promise((resolve) => rc.once('disconnected', resolve));
    d.dropAll();
    assert.ok((await disconnected) instanceof ConnectionClosedError);
    await reconnected;
    const conn = d.connections[1];
    assert.ok(conn);
    await conn.waitFor(isCall(Proc.ConnectDomainEventCallbackRegisterAny.num));
    conn.event(
      EventProc.DomainEventCallbackLifecycle,
      encodeWith(lifecycleMsg, { callbackID: 1, dom: dom('after'), event: 5, detail: 1 }),
    );
    const e = await sub.next();
    assert.equal(e?.dom.name, 'after');
    assert.equal(e?.event, 'stopped');
    await rc.close();
  });
});

test('console stream: both directions on one serial; ending it finishes and the daemon confirms', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.type === PacketType.CALL && p.proc === Proc.DomainOpenConsole.num) {
      c.replyBytes(p, Buffer.alloc(0));
      c.stream(p, PacketStatus.CONTINUE, Buffer.from('login: '));
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.CONTINUE) {
      c.stream(p, PacketStatus.CONTINUE, Buffer.from(p.payload.toString().toUpperCase()));
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const { stream } = await client.openStream(Proc.DomainOpenConsole, {
      dom: dom('c', 1),
      devName: null,
      flags: 0,
    });
    const got: Buffer[] = [];
    const echoed = new Promise<void>((resolve) =>
      stream.on('data', (b: Buffer) => {
        got.push(b);
        if (Buffer.concat(got).toString().includes('ROOT')) resolve();
      }),
    );
    stream.write('root');
    await echoed;
    assert.equal(Buffer.concat(got).toString(), 'login: ROOT');
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.end();
    await ended;
    const sent = d.connections[0]?.received.filter((p) => p.type === PacketType.STREAM) ?? [];
    assert.deepEqual(
      sent.map((p) => [p.proc, p.status, p.payload.toString()]),
      [
        [Proc.DomainOpenConsole.num, PacketStatus.CONTINUE, 'root'],
        [Proc.DomainOpenConsole.num, PacketStatus.OK, ''],
      ],
    );
    await client.close();
  });
});

test('stream data that arrives before the REPLY opening the stream is kept (seen with DOMAIN_SCREENSHOT)', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.type === PacketType.CALL && p.proc === Proc.DomainScreenshot.num) {
      c.stream(p, PacketStatus.CONTINUE, Buffer.from('\x89PNG-early', 'latin1'));
      c.reply(p, Proc.DomainScreenshot.ret, { mime: 'image/png' });
      c.stream(p, PacketStatus.CONTINUE);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path));
    const { ret, stream } = await client.openStream(Proc.DomainScreenshot, {
      dom: dom('x', 3),
      screen: 0,
      flags: 0,
    });
    assert.equal(ret.mime, 'image/png');
    assert.equal((await buffer(stream)).toString('latin1'), '\x89PNG-early');
    await client.close();
  });
});

test('close: a daemon that never answers the FIN (its host gone) does not keep the socket, and so the process, alive', async () => {
  await withDaemon(handshakeOnly, async (d) => {
    const client = await RpcClient.connect(new UnixDialer(d.path), { name: 'qemu:///system' });
    // The daemon's end keeps its side open after our FIN, as a vanished peer never acknowledges it.
    d.connections[0]!.socket.allowHalfOpen = true;
    await client.close();
    const socket = (client as unknown as { socket: Duplex }).socket;
    for (let i = 0; !socket.destroyed; i++) {
      assert.ok(i < 100, 'the half-closed socket was not destroyed');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
