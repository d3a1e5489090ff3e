import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareWords } from './vm-share.js';

test('vm share words: the short add form, the long ones, and wrong counts', () => {
  assert.deepEqual(shareWords(['web', '/srv']), { action: 'add', name: 'web', arg: '/srv' });
  assert.deepEqual(shareWords(['add', 'web', '/srv']), { action: 'add', name: 'web', arg: '/srv' });
  assert.deepEqual(shareWords(['add', 'add', '/srv']), { action: 'add', name: 'add', arg: '/srv' });
  assert.deepEqual(shareWords(['list', 'web']), { action: 'list', name: 'web' });
  assert.deepEqual(shareWords(['remove', 'web', 'data']), { action: 'remove', name: 'web', arg: 'data' });
  for (const bad of [['web'], ['list'], ['list', 'web', 'x'], ['remove', 'web'], ['add', 'web', '/a', '/b']])
    assert.throws(() => shareWords(bad), { code: 'invalid-input' });
});
