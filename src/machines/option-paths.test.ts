import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PhyllomeError } from '../errors.js';
import { checkOptionPaths, ISO_SIGNATURE_OFFSET } from './option-paths.js';

let dir: string;
const base = { name: 'v', os: 'linux' };

function isoBytes(): Buffer {
  const b = Buffer.alloc(ISO_SIGNATURE_OFFSET + 2048);
  b.write('CD001', ISO_SIGNATURE_OFFSET, 'latin1');
  return b;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'phyllo-paths-'));
  writeFileSync(join(dir, 'install.iso'), isoBytes());
  writeFileSync(join(dir, 'plain.iso'), Buffer.alloc(ISO_SIGNATURE_OFFSET + 2048));
  writeFileSync(join(dir, 'vmlinuz'), 'kernel');
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'disk.raw'), Buffer.alloc(4096));
  writeFileSync(
    join(dir, 'disk.qcow2'),
    Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(508)]),
  );
  writeFileSync(join(dir, 'qcow.img'), Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(508)]));
  mkdirSync(join(dir, 'a-dir.iso'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function fails(options: Record<string, string>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(
    checkOptionPaths({ ...base, ...options }, { kind: 'local', cwd: dir }),
    (e: unknown) => {
      assert.ok(e instanceof PhyllomeError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('path options on a local connection', () => {
  it('makes relative paths absolute against the working directory', async () => {
    const r = await checkOptionPaths(
      { ...base, iso: 'install.iso', kernel: './vmlinuz', diskImage: 'disk.qcow2', serialLog: 'serial.log' },
      { kind: 'local', cwd: dir },
    );
    assert.equal(r.iso, join(dir, 'install.iso'));
    assert.equal(r.kernel, join(dir, 'vmlinuz'));
    assert.equal(r.diskImage, join(dir, 'disk.qcow2'));
    assert.equal(r.serialLog, join(dir, 'serial.log'));
  });
  it('a missing file', () => fails({ iso: 'missing.iso' }, 'missing-file', /--iso does not exist/));
  it('a directory is not an ISO', () => fails({ iso: 'a-dir.iso' }, 'invalid-file', /is a directory/));
  it('a file without the ISO 9660 signature is not an ISO', () =>
    fails({ drivers: 'plain.iso' }, 'invalid-file', /--drivers .*plain\.iso is not an ISO image/));
  it('an empty kernel or initrd', () =>
    fails({ kernel: 'vmlinuz', initrd: 'empty' }, 'invalid-file', /--initrd .* is empty/));
  it('a raw image named .qcow2, and a qcow2 image named otherwise', async () => {
    writeFileSync(join(dir, 'fake.qcow2'), Buffer.alloc(512));
    await fails({ diskImage: 'fake.qcow2' }, 'invalid-file', /is named \.qcow2 but is not a qcow2 image/);
    await fails({ diskImage: 'qcow.img' }, 'invalid-file', /would be opened as raw/);
    const raw = await checkOptionPaths({ ...base, diskImage: 'disk.raw' }, { kind: 'local', cwd: dir });
    assert.equal(raw.diskImage, join(dir, 'disk.raw'));
  });
  it('a serial log in a missing directory, or that is a directory', async () => {
    await fails({ serialLog: 'nowhere/serial.log' }, 'invalid-file', /not an existing directory/);
    await fails({ serialLog: 'a-dir.iso' }, 'invalid-file', /--serial-log .* is a directory/);
  });
});
