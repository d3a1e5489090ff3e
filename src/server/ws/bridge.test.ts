import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { bridge, type ConsoleSession, type SessionOutcome } from './bridge.js';

let wss: WebSocketServer;
let url: string;
before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => wss.close(() => resolve())));

/** A far end the test drives: what it pushes is the console's output; writes are recorded. */
function farEnd() {
  const written: Buffer[] = [];
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((res) => (resolveStopped = res));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
  });
  let closes = 0;
  const session: ConsoleSession = {
    stream,
    stopped,
    close: () => {
      closes++;
      stream.destroy();
    },
  };
  return { session, stream, written, stop: resolveStopped, closes: () => closes };
}

/** A bridged pair: the server side bridged to `far`, and a client. */
async function pair(far: ReturnType<typeof farEnd>, graceMs = 20) {
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(url);
  const [server] = await accepted;
  const outcome: Promise<SessionOutcome> = bridge(server, far.session, graceMs);
  await once(client, 'open');
  const received: Buffer[] = [];
  client.on('message', (d: Buffer, isBinary: boolean) => {
    assert.ok(isBinary, 'the console’s bytes go out in binary frames');
    received.push(d);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { client, outcome, received, closed };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

test('bytes both ways: the far end’s output in binary frames; binary and text frames in, as bytes', async () => {
  const far = farEnd();
  const p = await pair(far);
  far.stream.push(Buffer.from([0, 1, 2, 255]));
  await until(() => p.received.length > 0);
  assert.deepEqual(Buffer.concat(p.received), Buffer.from([0, 1, 2, 255]));
  p.client.send(Buffer.from([9, 8]));
  p.client.send('hé\r');
  await until(() => Buffer.concat(far.written).length === 2 + Buffer.byteLength('hé\r'));
  assert.deepEqual(Buffer.concat(far.written), Buffer.concat([Buffer.from([9, 8]), Buffer.from('hé\r')]));
  p.client.close();
  assert.deepEqual(await p.outcome, { end: 'client-closed' });
  assert.equal(far.closes(), 1, 'the far end is closed with the client');
});

test('the VM stops: 1000 "vm-stopped", the far end closed', async () => {
  const far = farEnd();
  const p = await pair(far);
  far.stop();
  assert.deepEqual(await p.closed, { code: 1000, reason: 'vm-stopped' });
  assert.deepEqual(await p.outcome, { end: 'vm-stopped' });
  assert.equal(far.closes(), 1);
});

test('the far end ends: "vm-stopped" when libvirt says so a moment later, else "console-closed"', async () => {
  const a = farEnd();
  const pa = await pair(a, 60_000);
  a.stream.push(null);
  a.stop();
  assert.deepEqual(await pa.closed, { code: 1000, reason: 'vm-stopped' });
  const b = farEnd();
  const pb = await pair(b, 20);
  b.stream.destroy(new Error('stream had I/O failure'));
  assert.deepEqual(await pb.closed, { code: 1000, reason: 'console-closed' });
  assert.deepEqual(await pb.outcome, { end: 'console-closed', failure: 'stream had I/O failure' });
});
