import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { connect, StorageVolume } from './api.js';
import type { RpcClient } from './client.js';
import { UnixDialer } from './dialers/unix.js';
import { answerHandshake, type CallHandler, FakeDaemon } from './fake-daemon.js';
import { type Packet, PacketStatus, PacketType } from './packet.js';
import { Proc } from './procedures.js';
import { type StreamChunk, StreamHole, xstreamHole } from './streams.js';
import { decodeWith } from './xdr.js';

const isCall = (proc: number) => (p: Packet) => p.type === PacketType.CALL && p.proc === proc;
const ref = { pool: 'p', name: 'v', key: '/p/v' };

async function withDaemon(handler: CallHandler, body: (d: FakeDaemon) => Promise<void>): Promise<void> {
  const d = await FakeDaemon.unix(handler);
  try {
    await body(d);
  } finally {
    await d.close();
  }
}

async function collect(stream: Readable): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const c of stream) out.push(c as StreamChunk);
  return out;
}

const describe = (chunks: StreamChunk[]): (string | number)[] =>
  chunks.map((c) => (c instanceof StreamHole ? c.length : c.toString()));

test('sparse download: the SPARSE_STREAM flag, STREAM_HOLE packets read as StreamHoles between the data, in order', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (isCall(Proc.StorageVolDownload.num)(p)) {
      c.replyBytes(p, Buffer.alloc(0));
      c.stream(p, PacketStatus.CONTINUE, Buffer.from('head'));
      c.hole(p, 1n << 33n);
      c.stream(p, PacketStatus.CONTINUE, Buffer.from('tail'));
      c.hole(p, 4096n);
      c.stream(p, PacketStatus.CONTINUE);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const chunks = await collect(await new StorageVolume(lv.rpc, ref).downloadSparse());
    assert.deepEqual(describe(chunks), ['head', 2 ** 33, 'tail', 4096]);
    const call = await d.connections[0]!.waitFor(isCall(Proc.StorageVolDownload.num));
    assert.equal(decodeWith(Proc.StorageVolDownload.args, call.payload).flags, 1);
    await lv.close();
  });
});

test('sparse upload: StreamHoles go out as STREAM_HOLE packets (hyper length, flags 0) between the data, then OK', async () => {
  const seen: (string | number)[] = [];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (isCall(Proc.StorageVolUpload.num)(p)) return c.replyBytes(p, Buffer.alloc(0));
    if (p.type === PacketType.STREAM_HOLE) {
      const h = decodeWith(xstreamHole, p.payload);
      seen.push(`hole ${h.length} flags ${h.flags} status ${p.status}`);
    } else if (p.type === PacketType.STREAM && p.status === PacketStatus.CONTINUE) {
      seen.push(p.payload.toString());
    } else if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) {
      seen.push('finish');
      c.stream(p, PacketStatus.OK);
    }
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const up = await new StorageVolume(lv.rpc, ref).uploadSparse();
    const done = new Promise<void>((resolve, reject) => up.on('finish', resolve).on('error', reject));
    Readable.from([Buffer.from('a'), new StreamHole(2 ** 40), Buffer.from('b')]).pipe(up);
    await done;
    assert.deepEqual(seen, ['a', `hole ${2n ** 40n} flags 0 status ${PacketStatus.CONTINUE}`, 'b', 'finish']);
    const call = await d.connections[0]!.waitFor(isCall(Proc.StorageVolUpload.num));
    assert.equal(decodeWith(Proc.StorageVolUpload.args, call.payload).flags, 1);
    await lv.close();
  });
});

test('a hole on a stream that is not sparse fails it instead of losing the zeros', async () => {
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (isCall(Proc.StorageVolDownload.num)(p)) {
      c.replyBytes(p, Buffer.alloc(0));
      c.stream(p, PacketStatus.CONTINUE, Buffer.from('x'));
      // Later, so that the stream has its reader (an error before that would be nobody's).
      setTimeout(() => {
        c.hole(p, 10n);
        c.stream(p, PacketStatus.CONTINUE);
      }, 20);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const stream = await new StorageVolume(lv.rpc, ref).download();
    await assert.rejects(collect(stream), /not sparse/);
    await lv.close();
  });
});

test('a slow consumer of a sparse download pauses the connection: the data waits at the daemon, then all of it arrives', async () => {
  const chunk = Buffer.alloc(256 * 1024, 7);
  const count = 64;
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (isCall(Proc.StorageVolDownload.num)(p)) {
      c.replyBytes(p, Buffer.alloc(0));
      for (let i = 0; i < count; i++) c.stream(p, PacketStatus.CONTINUE, chunk);
      c.stream(p, PacketStatus.CONTINUE);
    }
    if (p.type === PacketType.STREAM && p.status === PacketStatus.OK) c.stream(p, PacketStatus.OK);
  };
  await withDaemon(handler, async (d) => {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const stream = await new StorageVolume(lv.rpc, ref).downloadSparse();
    const client = lv.rpc as RpcClient;
    // Nothing reads the stream: either the client pauses the connection or all of it piles up here.
    while (!client.inboundPaused && stream.readableLength < count) await new Promise((r) => setImmediate(r));
    assert.ok(client.inboundPaused, 'the connection was paused');
    assert.ok(stream.readableLength < count, `${stream.readableLength} chunks were buffered in the client`);
    const chunks = await collect(stream);
    assert.equal(chunks.length, count);
    assert.equal(
      chunks.reduce((n, c) => n + (c as Buffer).length, 0),
      count * chunk.length,
    );
    assert.equal(client.inboundPaused, false);
    await lv.close();
  });
});
