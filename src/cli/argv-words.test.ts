import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvWords } from './argv-words.js';

const values = new Set(['--connect', '-c', '--os']);
const words = (argv: string[]) => argvWords(argv, values).map((w) => w.word);

test('option values are not words; flags take none', () => {
  assert.deepEqual(words(['--connect', 'qemu:///system', 'vm', 'create', 'web', '--os', 'linux']), [
    'vm',
    'create',
    'web',
  ]);
  assert.deepEqual(words(['--json', 'status']), ['status']);
  assert.deepEqual(words(['-c', 'x', 'status']), ['status']);
  assert.deepEqual(words(['--connect=x', 'status']), ['status']);
  assert.deepEqual(argvWords(['--json', 'status'], values), [{ index: 1, word: 'status' }]);
});

test('an option followed by an option has no value; after -- every word counts', () => {
  assert.deepEqual(words(['vm', 'create', '--os', '--json', 'web']), ['vm', 'create', 'web']);
  assert.deepEqual(words(['__complete', 'words', '--', 'vm', '--os', 'x']), [
    '__complete',
    'words',
    'vm',
    '--os',
    'x',
  ]);
});
