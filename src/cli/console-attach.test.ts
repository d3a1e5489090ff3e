import assert from 'node:assert/strict';
import { PassThrough, Duplex } from 'node:stream';
import { test } from 'node:test';
import { attachConsole } from './console-attach.js';

function fakeTty() {
  const stdin = new PassThrough() as PassThrough & {
    isTTY: boolean;
    setRawMode(on: boolean): void;
    modes: boolean[];
  };
  stdin.isTTY = true;
  stdin.modes = [];
  stdin.setRawMode = (on: boolean) => void stdin.modes.push(on);
  return stdin;
}

function pair() {
  const toGuest: Buffer[] = [];
  const console = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      toGuest.push(chunk);
      cb();
    },
  });
  return { console, toGuest };
}

test('keys go to the guest until Ctrl-], output to stdout; raw mode set and restored', async () => {
  const stdin = fakeTty();
  const stdout = new PassThrough();
  const seen: Buffer[] = [];
  stdout.on('data', (c: Buffer) => seen.push(c));
  const { console, toGuest } = pair();
  const done = attachConsole(console, { stdin: stdin as never, stdout });
  console.push(Buffer.from('login: '));
  await new Promise((resolve) => setImmediate(resolve));
  stdin.write(Buffer.from('root\r\x03'));
  stdin.write(Buffer.from('ab\x1dignored'));
  assert.equal(await done, 'escape');
  assert.equal(Buffer.concat(toGuest).toString(), 'root\r\x03ab');
  assert.equal(Buffer.concat(seen).toString(), 'login: ');
  assert.deepEqual(stdin.modes, [true, false]);
});

test('the terminal is restored when the stream ends, and on a signal', async () => {
  for (const how of ['end', 'signal'] as const) {
    const stdin = fakeTty();
    const { console } = pair();
    const done = attachConsole(console, { stdin: stdin as never, stdout: new PassThrough() });
    if (how === 'end') console.push(null);
    else process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await done, how === 'end' ? 'stopped' : 'signal');
    assert.deepEqual(stdin.modes, [true, false]);
  }
});

test('a lost connection and the VM stopping end the session', async () => {
  const stdin = fakeTty();
  const { console } = pair();
  const lost = Object.assign(new Error('closed'), { name: 'ConnectionClosedError' });
  const done = attachConsole(console, { stdin: stdin as never, stdout: new PassThrough() });
  console.destroy(lost);
  assert.equal(await done, 'lost');
  assert.deepEqual(stdin.modes, [true, false]);
  const stdin2 = fakeTty();
  const done2 = attachConsole(
    pair().console,
    { stdin: stdin2 as never, stdout: new PassThrough() },
    Promise.resolve(),
  );
  assert.equal(await done2, 'stopped');
  assert.deepEqual(stdin2.modes, [true, false]);
});
