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

test('all: steps run at once; a failure undoes the siblings that succeeded, and is the one thrown', async () => {
  const undo = new UndoList();
  const undone: string[] = [];
  let running = 0;
  let most = 0;
  const step = async (name: string, fail = false) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 10));
    running--;
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
  await assert.rejects(
    undo.all([step('a'), step('b', true), step('c')], (v) => [`made ${v}`, async () => void undone.push(v)]),
    /b failed/,
  );
  assert.equal(most, 3, 'the three ran at once');
  assert.equal(undo.length, 2);
  assert.deepEqual(await undo.run(), []);
  assert.deepEqual(undone.sort(), ['a', 'c']);
  assert.deepEqual(await undo.all([step('x'), step('y')], (v) => [v, async () => undefined]), ['x', 'y']);
});
