import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { candidateFileNames, fileForOsId, OsinfoDb } from './osinfo.js';
import { resolveGuestOs, supportsVirtio } from './guest-os.js';
import { UnknownOsError } from './errors.js';

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'model',
  'osinfo',
);

describe('osinfo-db reader', () => {
  it('derives file names from short ids and os ids', () => {
    assert.deepEqual(candidateFileNames('win11'), ['win-11.xml', 'win11.xml']);
    assert.deepEqual(candidateFileNames('ubuntu22.04'), ['ubuntu-22.04.xml', 'ubuntu22.04.xml']);
    assert.equal(fileForOsId('http://microsoft.com/win/10'), 'microsoft.com/win-10.xml');
  });

  it('applies derives-from: resources, firmware and device list', () => {
    const db = new OsinfoDb(ROOT);
    const w = db.get('win11');
    assert.ok(w);
    assert.equal(w.family, 'winnt');
    assert.equal(w.minimum.ramBytes, 4294967296);
    assert.deepEqual(w.firmware, { efi: true, bios: false });
    assert.deepEqual(w.pciDevices, ['8086:10d3']);
    const l = db.get('exlinux2');
    assert.ok(l);
    assert.equal(l.minimum.ramBytes, 1073741824, 'inherit="true" takes the parent resources');
    assert.deepEqual(
      l.pciDevices,
      ['1af4:1000', '1af4:1001', '1af4:1042', '1af4:1052'],
      'supported="false" removes',
    );
    assert.equal(supportsVirtio(l, 'disk'), true);
    assert.equal(supportsVirtio(l, 'gpu'), false);
  });

  it('falls back to scanning short-id tags when the file name does not follow the convention', () => {
    const os = new OsinfoDb(ROOT).get('oddos3');
    assert.equal(os?.name, 'Odd OS 3');
  });

  it('lists every id', () => {
    assert.deepEqual(
      new OsinfoDb(ROOT).list().map((o) => o.shortId),
      ['exlinux1', 'exlinux2', 'oddos3', 'win10', 'win11'],
    );
  });
});

describe('guest OS resolution', () => {
  const db = new OsinfoDb(ROOT);
  it('maps osinfo ids to family profiles with osinfo facts', () => {
    const w = resolveGuestOs('win11', db);
    assert.equal(w.profile.id, 'windows-11');
    assert.equal(w.libosinfoId, 'http://microsoft.com/win/11');
    assert.deepEqual(w.recommended, { memoryMiB: 8192, vcpus: 4, diskGiB: 128 });
    assert.match(w.resourcesReason, /recommended = 2 × minimum/);
    assert.equal(w.virtio.disk, false, 'Windows has no inbox virtio, whatever osinfo lists');
    const old = resolveGuestOs('exlinux1', db);
    assert.equal(old.profile.id, 'linux-5.4');
    assert.deepEqual(old.virtio, {
      disk: true,
      net: true,
      gpu: true,
      input: false,
      rng: false,
      balloon: false,
    });
    assert.equal(old.recommended.memoryMiB, 2048);
    assert.equal(resolveGuestOs('exlinux2', db).profile.id, 'linux');
    assert.equal(resolveGuestOs('oddos3', db).profile.id, 'linux-5.4');
  });
  it('resolves first-class profiles without reading the database', () => {
    const g = resolveGuestOs('windows-11', new OsinfoDb('/nonexistent'));
    assert.equal(g.profile.id, 'windows-11');
    assert.equal(g.minimum.memoryMiB, 4096);
  });
  it('rejects unknown ids with a hint', () => {
    assert.throws(
      () => resolveGuestOs('win99', db),
      (e: unknown) => e instanceof UnknownOsError && /win10|win11/.test(e.hint ?? ''),
    );
    assert.throws(
      () => resolveGuestOs('fedora99', new OsinfoDb('/nonexistent')),
      /Unknown operating system: fedora99/,
    );
  });
  it('reads the installed osinfo-db when present', { skip: !existsSync('/usr/share/osinfo/os') }, () => {
    const f = resolveGuestOs('fedora37');
    assert.equal(f.profile.id, 'linux');
    assert.equal(f.virtio.disk, true);
    assert.equal(resolveGuestOs('win2k22').profile.id, 'windows-server-2022');
    assert.equal(resolveGuestOs('freebsd13.1').profile.id, 'freebsd');
  });
});
