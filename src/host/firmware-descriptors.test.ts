import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findFirmware, loadFirmwareDescriptors, parseFirmwareDescriptor } from './firmware-descriptors.js';

const desc = (features: string[], exe: string): string =>
  JSON.stringify({
    'interface-types': ['uefi'],
    mapping: {
      device: 'flash',
      executable: { filename: exe, format: 'raw' },
      'nvram-template': { filename: exe + '.vars', format: 'raw' },
    },
    targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
    features,
  });

describe('QEMU firmware descriptors', () => {
  const root = mkdtempSync(join(tmpdir(), 'phyllo-fw-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr/share/qemu/firmware'), { recursive: true });
  mkdirSync(join(root, 'etc/qemu/firmware'), { recursive: true });
  writeFileSync(
    join(root, 'usr/share/qemu/firmware/40-sb.json'),
    desc(['secure-boot', 'enrolled-keys', 'requires-smm'], '/fw/sb'),
  );
  writeFileSync(join(root, 'usr/share/qemu/firmware/60-plain.json'), desc([], '/fw/plain'));
  writeFileSync(join(root, 'usr/share/qemu/firmware/50-hidden.json'), desc(['secure-boot'], '/fw/hidden'));
  writeFileSync(join(root, 'etc/qemu/firmware/50-hidden.json'), '');
  writeFileSync(join(root, 'etc/qemu/firmware/60-plain.json'), desc([], '/fw/local'));
  writeFileSync(join(root, 'etc/qemu/firmware/70-broken.json'), '{ not json');

  it('sorts by name, lets /etc override and an empty file hide', () => {
    const list = loadFirmwareDescriptors(root);
    assert.deepEqual(
      list.map((d) => [d.file, d.executable]),
      [
        ['40-sb.json', '/fw/sb'],
        ['60-plain.json', '/fw/local'],
      ],
    );
  });
  it('parses the fields', () => {
    const d = parseFirmwareDescriptor('x.json', desc(['secure-boot'], '/a'));
    assert.deepEqual(d, {
      file: 'x.json',
      interfaceTypes: ['uefi'],
      device: 'flash',
      executable: '/a',
      nvramTemplate: '/a.vars',
      targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
      features: ['secure-boot'],
    });
  });
  it('finds by features and machine glob', () => {
    const list = loadFirmwareDescriptors(root);
    const want = { arch: 'x86_64', machine: 'pc-q35-7.2', interface: 'uefi' as const };
    assert.equal(
      findFirmware(list, { ...want, features: ['secure-boot', 'enrolled-keys'] })?.file,
      '40-sb.json',
    );
    assert.equal(
      findFirmware(list, { ...want, features: [], without: ['secure-boot'] })?.file,
      '60-plain.json',
    );
    assert.equal(findFirmware(list, { ...want, machine: 'pc-i440fx-7.2', features: [] }), undefined);
  });
});
