import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOSE_TOO_SLOW, ClientQueue, type QueueLimits, type QueueSocket } from './client-queue.js';

/** A socket whose writes complete only when the test says so (a client that stopped reading). */
class FakeSocket implements QueueSocket {
  sent: string[] = [];
  pending: ((err?: Error) => void)[] = [];
  bufferedAmount = 0;
  closedWith: [number, string] | undefined;
  send(data: string, cb: (err?: Error) => void): void {
    this.sent.push(data);
    this.pending.push(cb);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
  /** Completes every write so far (the client read them). */
  drain(): void {
    while (this.pending.length) this.pending.shift()!();
  }
}

const limits: QueueLimits = { window: 2, maxQueued: 3, maxBytes: 1000, stuckMs: 60_000 };

describe('ClientQueue', () => {
  it('sends at once while the window is open, queues beyond it, and sends the queue in order as writes complete', () => {
    const s = new FakeSocket();
    const q = new ClientQueue(s, limits);
    q.send('a');
    q.send('b');
    q.send('c');
    assert.deepEqual(s.sent, ['a', 'b'], 'two in flight, the third waits');
    assert.equal(q.waiting, 1);
    s.drain();
    assert.deepEqual(s.sent, ['a', 'b', 'c']);
    assert.equal(q.waiting, 0);
    assert.equal(q.overflowed, false);
  });

  it('a client that stops reading: its queue is dropped past the limit, then resync once it drains', () => {
    const s = new FakeSocket();
    const q = new ClientQueue(s, limits);
    for (const m of ['1', '2', '3', '4', '5', '6']) q.send(m);
    assert.equal(q.overflowed, true, 'four waiting is over maxQueued 3');
    assert.equal(q.waiting, 0, 'the queue was dropped');
    q.send('7');
    q.send('8');
    assert.deepEqual(s.sent, ['1', '2'], 'nothing more goes to a stuck socket');
    s.drain();
    assert.deepEqual(s.sent.slice(0, 2), ['1', '2']);
    assert.deepEqual(JSON.parse(s.sent[2]!), { type: 'resync', dropped: 6 });
    assert.equal(q.overflowed, false);
    s.drain();
    q.send('9');
    assert.equal(s.sent.at(-1), '9', 'messages flow again after the resync');
  });

  it('overflows on bytes too: the queue plus what the socket holds', () => {
    const s = new FakeSocket();
    const q = new ClientQueue(s, limits);
    q.send('x');
    q.send('y');
    s.bufferedAmount = 900;
    q.send('z'.repeat(200));
    assert.equal(q.overflowed, true);
    const big = new FakeSocket();
    const q2 = new ClientQueue(big, limits);
    big.bufferedAmount = 5000;
    q2.send('sent, but the socket holds too much now');
    assert.equal(big.sent.length, 1);
    assert.equal(q2.overflowed, true);
  });

  it('closes a client that stays stuck, with a reason', async () => {
    const s = new FakeSocket();
    const q = new ClientQueue(s, { ...limits, stuckMs: 20 });
    for (let i = 0; i < 10; i++) q.send(String(i));
    assert.equal(q.overflowed, true);
    await sleep(60);
    assert.equal(s.closedWith?.[0], CLOSE_TOO_SLOW);
    assert.match(s.closedWith?.[1] ?? '', /too slow/);
    s.drain();
    q.send('after');
    assert.ok(!s.sent.includes('after'), 'nothing is sent after the close');
  });

  it('one stuck client does not hold up another: each has its own queue', () => {
    const stuck = new FakeSocket();
    const fine = new FakeSocket();
    const queues = [new ClientQueue(stuck, limits), new ClientQueue(fine, limits)];
    for (let i = 0; i < 100; i++) {
      for (const q of queues) q.send(String(i));
      fine.drain();
    }
    assert.equal(fine.sent.length, 100);
    assert.deepEqual(stuck.sent, ['0', '1']);
  });
});
