import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNoSpace } from './no-space.js';

test('a full filesystem is seen in the error or any of its causes, and nothing else is', () => {
  const qemuImg = new Error(
    'internal error: Child process (/usr/bin/qemu-img create -f qcow2 /p/x.qcow2 16384K) unexpected exit status 1: qemu-img: /p/x.qcow2: Could not write qcow2 header: No space left on device',
  );
  assert.equal(isNoSpace(qemuImg), true);
  assert.equal(
    isNoSpace(new Error('could not create the disk', { cause: new Error('write: ENOSPC') })),
    true,
  );
  assert.equal(isNoSpace(new Error("Cannot access storage file '/a.iso': No such file or directory")), false);
});
