import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { attemptOutcome, classifyBootOutput, makeAttempt } from './boot-output.js';
import { verdictFromTest } from './kvm-verdict.js';
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

test('an attempt is booted, hung (out of time) or failed (stopped early)', () => {
  assert.equal(attemptOutcome(makeAttempt('kvm', 'PHYLLO-GUEST boot-test\r\n', 900, 8000)), 'booted');
  assert.equal(attemptOutcome(makeAttempt('kvm', 'SeaBIOS\r\n', 8001, 8000)), 'hung');
  assert.equal(attemptOutcome(makeAttempt('kvm', '', 40, 8000, 'QEMU exited with code 1')), 'failed');
});

test('a boot under TCG instead of KVM never makes KVM usable, booted or not', () => {
  const ran = makeAttempt('tcg', '[    1.4] Run /init as init process\r\n', 2200, 24000);
  const v = verdictFromTest({ outcome: 'booted', kvm: ran }, { cached: false });
  assert.equal(v.usable, false);
  assert.equal(v.state, 'unknown');
  assert.match(v.summary, /^KVM was not tested: .*TCG.* and it ran$/);
  assert.match(v.detail, /booted to init under TCG/);
  const hung = makeAttempt('tcg', '', 5, 3);
  const w = verdictFromTest({ outcome: 'hung', kvm: hung }, { cached: false });
  assert.equal(w.usable, false);
  assert.match(w.summary, /and it did not run$/);
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
