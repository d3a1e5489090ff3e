/**
 * The empty qcow2 image `vm create` writes (src/machines/empty-qcow2.ts) against this host's own
 * `qemu-img create -f qcow2 -o compat=1.1`: the same bytes but for qemu-img's feature name table, a
 * clean `qemu-img check`, and QEMU's block layer writing to it and reading back.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EMPTY_QCOW2_MAX_BYTES, emptyQcow2 } from '../../src/machines/empty-qcow2.js';
import { hasFeatureNameTable, QCOW2_EXTENSIONS, qemuImgInfo } from '../support/qemu-img-info.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-qcow2-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const GiB = 2 ** 30;

function qemuImgCreate(path: string, bytes: number): Buffer {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'compat=1.1', path, String(bytes)]);
  return readFileSync(path);
}

for (const bytes of [
  0,
  1000,
  16 * 2 ** 20,
  512 * 2 ** 20 + 512,
  20 * GiB,
  2 * 2 ** 40,
  EMPTY_QCOW2_MAX_BYTES,
]) {
  test(`${bytes} bytes: qemu-img create's bytes but for its feature name table, and qemu-img check finds nothing`, () => {
    const ours = emptyQcow2(bytes);
    const path = join(dir, `ours-${bytes}.qcow2`);
    writeFileSync(path, ours);
    const theirs = qemuImgCreate(join(dir, `theirs-${bytes}.qcow2`), bytes);
    assert.equal(ours.length, theirs.length);
    assert.ok(
      hasFeatureNameTable(theirs),
      'qemu-img wrote its table there (else this test compares nothing there)',
    );
    assert.ok(ours.subarray(...QCOW2_EXTENSIONS).every((b) => b === 0));
    theirs.fill(0, ...QCOW2_EXTENSIONS);
    assert.ok(ours.equals(theirs), 'every other byte equal');
    execFileSync('qemu-img', ['check', '-q', path]); // exits non-zero on any error or leak
    const info = qemuImgInfo(path);
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], Math.ceil(bytes / 512) * 512);
    assert.equal(info['format-specific']?.data?.compat, '1.1');
  });
}

test('QEMU writes into the image and reads it back; the refcounts stay right', () => {
  const path = join(dir, 'written.qcow2');
  writeFileSync(path, emptyQcow2(2 * GiB));
  // A cluster at the start and one at the very end: each needs a new L2 table and refcount entries.
  const io = (cmd: string) => execFileSync('qemu-io', ['-f', 'qcow2', '-c', cmd, path], { encoding: 'utf8' });
  io('write -P 0xa5 0 64k');
  io(`write -P 0x5a ${2 * GiB - 65536} 64k`);
  assert.match(io('read -P 0xa5 0 64k'), /read 65536\/65536 bytes/);
  assert.match(io(`read -P 0x5a ${2 * GiB - 65536} 64k`), /read 65536\/65536 bytes/);
  assert.match(io('read -P 0 1M 64k'), /read 65536\/65536 bytes/, 'untouched clusters read as zeros');
  execFileSync('qemu-img', ['check', '-q', path]);
});
