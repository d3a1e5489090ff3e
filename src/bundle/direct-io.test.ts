import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { directFs, openDirect } from './direct-io.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-direct-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('direct I/O on local file systems only: not over NFS, SMB, FUSE, 9p or overlayfs', () => {
  for (const local of [0xef53, 0x58465342, 0x9123683e, 0x01021994]) assert.equal(directFs(local), true);
  // NFS, SMB2, CIFS, FUSE (also virtiofs and sshfs), 9p, overlayfs, ZFS
  for (const other of [0x6969, 0xfe534d42, 0xff534d42, 0x65735546, 0x01021997, 0x794c7630, 0x2fc12fc1])
    assert.equal(directFs(other), false, other.toString(16));
  assert.equal(directFs(BigInt(0xef53)), true);
});

test('openDirect: a descriptor on a local file system, undefined where there is no file', () => {
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  const fd = openDirect(file, constants.O_RDONLY);
  if (directFs(statfsSync(dir).type)) {
    assert.equal(typeof fd, 'number');
    closeSync(fd!);
  } else assert.equal(fd, undefined);
  assert.equal(openDirect(join(dir, 'missing'), constants.O_RDONLY), undefined);
});
