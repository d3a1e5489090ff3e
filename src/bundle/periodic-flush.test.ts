import assert from 'node:assert/strict';
import { test } from 'node:test';
import { periodicFlush } from './periodic-flush.js';

/** A file handle whose datasyncs are counted and finish when told. */
function handle(fail?: Error) {
  const pending: (() => void)[] = [];
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    finishAll: () => pending.splice(0).forEach((f) => f()),
    datasync: () => {
      calls++;
      return new Promise<void>((resolve, reject) => pending.push(() => (fail ? reject(fail) : resolve())));
    },
  };
}

test('one datasync per `every` bytes written, never two at once', async () => {
  const fh = handle();
  const f = periodicFlush(fh, 100);
  f.wrote(60);
  assert.equal(fh.calls, 0);
  f.wrote(60);
  assert.equal(fh.calls, 1, 'at 120 bytes');
  f.wrote(500);
  assert.equal(fh.calls, 1, 'the first is still running');
  fh.finishAll();
  await f.settle();
  f.wrote(100);
  assert.equal(fh.calls, 2, 'the next one, 100 bytes after where the last began');
  const settled = f.settle();
  fh.finishAll();
  await settled;
});

test('a failed datasync is thrown by settle, even once it is over', async () => {
  const fh = handle(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  const f = periodicFlush(fh, 10);
  f.wrote(10);
  fh.finishAll();
  await assert.rejects(f.settle(), /EIO/);
  await assert.rejects(f.settle(), /EIO/, 'still, later');
});
