import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer, type FrameProblem } from './framer.js';
import { decodePacket, encodePacket, PacketType, Program } from './packet.js';
import { hex } from './fake-daemon.js';

function packets(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const payload = Buffer.alloc(i * 7, i);
    out.push(
      encodePacket(
        { prog: Program.REMOTE, vers: 1, proc: i, type: PacketType.REPLY, serial: i + 1, status: 0 },
        payload,
      ),
    );
  }
  return out;
}

function collect(): { frames: Buffer[]; problems: FrameProblem[]; framer: Framer } {
  const frames: Buffer[] = [];
  const problems: FrameProblem[] = [];
  return {
    frames,
    problems,
    framer: new Framer(
      (f) => frames.push(Buffer.from(f)),
      (p) => problems.push(p),
    ),
  };
}

test('the header layout matches the wire (keepalive PING is 28 bytes)', () => {
  const ping = encodePacket({
    prog: Program.KEEPALIVE,
    vers: 1,
    proc: 1,
    type: PacketType.MESSAGE,
    serial: 0,
    status: 0,
  });
  assert.equal(
    ping.toString('hex'),
    hex(`0000001c 6b656570 00000001 00000001   # len 28, prog KEEPALIVE, vers 1, proc PING
         00000002 00000000 00000000`).toString('hex'), // type MESSAGE, serial 0, status OK
  );
  assert.deepEqual(
    { ...decodePacket(ping), payload: undefined },
    {
      prog: Program.KEEPALIVE,
      vers: 1,
      proc: 1,
      type: 2,
      serial: 0,
      status: 0,
      payload: undefined,
    },
  );
});

test('frames arrive whole from 1-byte chunks', () => {
  const input = packets(5);
  const { frames, problems, framer } = collect();
  for (const b of Buffer.concat(input)) framer.push(Buffer.from([b]));
  assert.deepEqual(frames, input);
  assert.deepEqual(problems, []);
  assert.equal(framer.pending, 0);
});

test('many frames in one chunk', () => {
  const input = packets(50);
  const { frames, framer } = collect();
  framer.push(Buffer.concat(input));
  assert.equal(frames.length, 50);
  assert.deepEqual(frames, input);
});

test('arbitrary splits (deterministic pseudo-random) reassemble identically', () => {
  const input = packets(30);
  const all = Buffer.concat(input);
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 97;
  const { frames, framer } = collect();
  for (let off = 0; off < all.length;) {
    const n = Math.min(all.length - off, 1 + rand());
    framer.push(all.subarray(off, off + n));
    off += n;
  }
  assert.deepEqual(frames, input);
});

test('a length beyond 16 MiB + 4 or below a header is reported, not skipped', () => {
  for (const bad of [0x01000005, 27, 0]) {
    const { frames, problems, framer } = collect();
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bad);
    framer.push(Buffer.concat([head, Buffer.alloc(40)]));
    assert.deepEqual(problems, [{ kind: 'bad-length', length: bad }]);
    assert.equal(frames.length, 0);
  }
  const { problems, framer } = collect();
  const max = Buffer.alloc(4);
  max.writeUInt32BE(16 * 1024 * 1024 + 4);
  framer.push(max);
  assert.deepEqual(problems, [], 'exactly the maximum is allowed');
});
