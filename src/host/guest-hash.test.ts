import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestImageHash } from './guest-hash.js';

test("the guest image's hash covers kernel and initramfs, and is remembered per file identity", () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-guest-hash-'));
  try {
    const image = { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), label: 't' };
    writeFileSync(image.kernel, 'kernel');
    writeFileSync(image.initrd, 'initrd');
    const memo: Record<string, string> = {};
    const first = guestImageHash(image, memo);
    assert.equal(first, createHash('sha256').update('kernelinitrd').digest('hex'));
    assert.deepEqual(Object.values(memo), [first]);
    // A remembered identity is answered without reading the files.
    const [id] = Object.keys(memo);
    assert.equal(guestImageHash(image, { [id!]: 'remembered' }), 'remembered');
    // A rewritten initramfs is a new identity: hashed again, and only the newest one is kept.
    writeFileSync(image.initrd, 'initrd, rebuilt');
    const second = guestImageHash(image, memo);
    assert.notEqual(second, first);
    assert.deepEqual(Object.values(memo), [second]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
