import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDirect } from './direct-write.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-direct-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const scratch = () => new Uint8Array(new SharedArrayBuffer(3 * 4096));
const EXT4 = 0xef53;
const onExt4 = statfsSync(dir).type === EXT4;

test(
  'a new file on ext4 is opened again for direct writes, aligned; the probe leaves no file',
  { skip: !onExt4 && 'the temporary directory is not on ext4' },
  () => {
    const fd = openSync(join(dir, 'out'), 'w+');
    try {
      const direct = openDirect(fd, scratch());
      assert.ok(direct, 'direct writes were refused');
      assert.notEqual(direct.fd, fd);
      assert.ok(direct.memoryOffset >= 0 && direct.memoryOffset < 4096 && direct.memoryOffset % 16 === 0);
      assert.ok(direct.granule === 512 || direct.granule === 4096, `granule ${direct.granule}`);
      closeSync(direct.fd);
      assert.deepEqual(readdirSync(dir), ['out']);
    } finally {
      closeSync(fd);
    }
  },
);

test('a read-only or appending descriptor is not opened again for writing', () => {
  const path = join(dir, 'ro');
  closeSync(openSync(path, 'w'));
  for (const flags of ['r', 'a']) {
    const fd = openSync(path, flags);
    try {
      assert.equal(openDirect(fd, scratch()), undefined, flags);
    } finally {
      closeSync(fd);
    }
  }
});

test(
  'a file on tmpfs and a device are written as before',
  { skip: !existsSync('/dev/shm') && 'no /dev/shm' },
  () => {
    const shm = mkdtempSync('/dev/shm/phyllo-direct-');
    try {
      const fd = openSync(join(shm, 'out'), 'w+');
      assert.equal(openDirect(fd, scratch()), undefined);
      closeSync(fd);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
    const nul = openSync('/dev/null', 'w');
    assert.equal(openDirect(nul, scratch()), undefined);
    closeSync(nul);
  },
);
