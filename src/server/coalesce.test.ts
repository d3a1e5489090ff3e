import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalescer } from './coalesce.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('requests during a call share the next one, which starts after the running one ends', async () => {
  const c = new Coalescer<number>();
  const calls: ReturnType<typeof deferred<number>>[] = [];
  const fn = () => {
    const d = deferred<number>();
    calls.push(d);
    return d.promise;
  };
  const a = c.run('k', fn);
  await Promise.resolve();
  const b = c.run('k', fn);
  const b2 = c.run('k', fn);
  assert.equal(calls.length, 1, 'b and b2 wait: the running call began before they came');
  calls[0]!.resolve(1);
  assert.equal(await a, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 2, 'one more call for both waiting requests');
  calls[1]!.resolve(2);
  assert.deepEqual(await Promise.all([b, b2]), [2, 2]);
  const d = c.run('k', fn);
  await Promise.resolve();
  assert.equal(calls.length, 3, 'nothing runs: a new request starts a new call');
  calls[2]!.resolve(3);
  assert.equal(await d, 3);
});

test('a failed call fails only its own requests; keys do not share', async () => {
  const c = new Coalescer<string>();
  let n = 0;
  const fail = c.run('x', async () => {
    n++;
    throw new Error('boom');
  });
  const after = c.run('x', async () => `ok${++n}`);
  const other = c.run('y', async () => 'y');
  await assert.rejects(fail, /boom/);
  assert.equal(await after, 'ok2');
  assert.equal(await other, 'y');
});
