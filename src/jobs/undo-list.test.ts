import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UndoList } from './undo-list.js';

test('undoes newest first, goes on past a failing undo, and reports what it could not undo', async () => {
  const done: string[] = [];
  const u = new UndoList();
  u.push('defined the network "n"', async () => done.push('undefine n'));
  u.push('started the network "n"', async () => {
    throw new Error('network is busy');
  });
  u.push('created /x.qcow2', async () => done.push('delete /x.qcow2'));
  assert.equal(u.length, 3);
  assert.deepEqual(await u.run(), ['started the network "n" (undo failed: network is busy)']);
  assert.deepEqual(done, ['delete /x.qcow2', 'undefine n']);
  assert.equal(u.length, 0);
  assert.deepEqual(await u.run(), [], 'a second run undoes nothing twice');
});
