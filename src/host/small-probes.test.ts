import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFirmware } from './firmware.js';
import { userFirmwareDir } from './firmware-descriptors.js';
import { RootFs } from './root-fs.js';
import { parseLibvirtVersion } from './tools.js';
import { usbKind } from './usb.js';

test('USB kinds from device and interface classes', () => {
  assert.equal(usbKind(0x09, []), 'hub');
  assert.equal(
    usbKind(0, [
      { cls: 3, protocol: 1 },
      { cls: 3, protocol: 0 },
    ]),
    'keyboard',
  );
  assert.equal(usbKind(0, [{ cls: 3, protocol: 2 }]), 'mouse');
  assert.equal(usbKind(0xe0, [{ cls: 0xe0, protocol: 1 }]), 'bluetooth');
  assert.equal(usbKind(0, [{ cls: 8, protocol: 0x50 }]), 'storage');
  assert.equal(usbKind(null, []), 'other');
});

test('QEMU firmware descriptors: a later directory overrides, an empty file hides, garbage is reported', () => {
  const root = mkdtempSync(join(tmpdir(), 'phyllo-fw-'));
  try {
    const d = (dir: string, file: string, text: string) => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, file), text);
    };
    const desc = (exe: string, features: string[]) =>
      JSON.stringify({
        'interface-types': ['uefi'],
        mapping: { device: 'flash', executable: { filename: exe } },
        targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
        features,
      });
    d('usr/share/OVMF', 'CODE.fd', 'x');
    d('usr/share/OVMF', 'CODE.ms.fd', 'x');
    d(
      'usr/share/qemu/firmware',
      '40-secure-enrolled.json',
      desc('/usr/share/OVMF/CODE.ms.fd', ['secure-boot', 'enrolled-keys']),
    );
    d('usr/share/qemu/firmware', '60-plain.json', desc('/usr/share/OVMF/CODE.fd', []));
    d('usr/share/qemu/firmware', '70-broken.json', '{ nope');
    d('usr/share/qemu/firmware', '80-missing-exe.json', desc('/usr/share/OVMF/ABSENT.fd', ['secure-boot']));
    d('etc/qemu/firmware', '40-secure-enrolled.json', '');
    const f = probeFirmware(new RootFs(root));
    assert.deepEqual(
      f.descriptors.map((x) => x.file),
      ['60-plain.json', '80-missing-exe.json'],
    );
    assert.equal(f.uefi?.file, '60-plain.json');
    assert.equal(f.secureBoot, null, 'a descriptor whose executable is missing does not count');
    assert.equal(f.unreadable.length, 1);
    assert.match(f.unreadable[0] ?? '', /70-broken\.json/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('libvirt version', () => {
  assert.equal(parseLibvirtVersion('libvirtd (libvirt) 9.0.0\n'), '9.0.0');
  assert.equal(parseLibvirtVersion('garbage'), undefined);
});

test("the user's QEMU firmware directory is read for the live host only", () => {
  assert.deepEqual(userFirmwareDir('/', { XDG_CONFIG_HOME: '/home/a/.cfg' }), ['home/a/.cfg/qemu/firmware']);
  assert.deepEqual(userFirmwareDir('/', { HOME: '/home/b' }), ['home/b/.config/qemu/firmware']);
  assert.deepEqual(userFirmwareDir('/tmp/fixture', { HOME: '/home/b' }), []);
});
