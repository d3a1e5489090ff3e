import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { classifyBootOutput, makeAttempt } from './boot-output.js';
import { bootTestInitramfs, writeCpio } from './initramfs.js';
import { qemuBootArgs } from './qemu-boot.js';

test('boot output stages: firmware is not proof, kernel timestamps and the marker are', () => {
  assert.equal(classifyBootOutput(''), 'nothing');
  assert.equal(
    classifyBootOutput(
      'SeaBIOS (version 1.16.2)\r\nBooting from ROM..\r\nProbing EDD (edd=off to disable)... ok\r\n',
    ),
    'firmware',
  );
  assert.equal(classifyBootOutput('SeaBIOS\n[    0.000000] Linux version 6.1.0-56-cloud-amd64\n'), 'kernel');
  assert.equal(classifyBootOutput('[    1.88] Run /init as init process\n'), 'init');
  assert.equal(classifyBootOutput('PHYLLO-GUEST cpus=1\n'), 'init');
});

test('a hung KVM attempt is described in plain words', () => {
  const a = makeAttempt(
    'kvm',
    '\x1bcSeaBIOS (version 1.16.2)\r\nProbing EDD (edd=off to disable)... ok\r\n',
    8004,
    8000,
  );
  assert.equal(a.booted, false);
  assert.equal(a.stage, 'firmware');
  assert.equal(a.seen, 'the firmware (SeaBIOS) printed under KVM, but the kernel never started within 8 s');
  assert.equal(a.lastLine, 'Probing EDD (edd=off to disable)... ok');
});

test('QEMU arguments: a named CPU model, never -cpu host, and the poweroff command line', () => {
  const args = qemuBootArgs('kvm', { kernel: '/k', initrd: '/i', label: 't' });
  assert.equal(args[args.indexOf('-cpu') + 1], 'max');
  assert.equal(args[args.indexOf('-accel') + 1], 'kvm');
  assert.match(args[args.indexOf('-append') + 1] ?? '', /console=ttyS0 phyllo\.poweroff=1 panic=-1/);
});

test('cpio newc archive: headers, padding and the trailer', () => {
  const buf = writeCpio([{ name: 'init', mode: 0o100755, data: Buffer.from('#!/bin/sh\n') }]);
  const text = buf.toString('latin1');
  assert.ok(text.startsWith('070701'));
  assert.equal(buf.length % 4, 0);
  assert.equal(parseInt(text.slice(6 + 8 * 6, 6 + 8 * 7), 16), 10, 'file size field');
  assert.ok(text.includes('init\0'));
  assert.ok(text.includes('TRAILER!!!\0'));
  const ramfs = gunzipSync(bootTestInitramfs(Buffer.from('fake busybox'))).toString('latin1');
  assert.ok(ramfs.includes('PHYLLO-GUEST boot-test'));
  assert.ok(ramfs.includes('dev/console\0'));
});
