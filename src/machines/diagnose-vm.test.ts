import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXml } from '../xml/parse.js';
import { hookRefusal, logComplaint, neededFiles, qemuComplaint } from './diagnose-vm.js';

test("QEMU's complaint is found inside libvirt's error, without the timestamp", () => {
  assert.equal(
    qemuComplaint(
      "internal error: qemu unexpectedly closed the monitor: 2026-12-01T20:28:24.001691Z qemu-system-x86_64: -device x: 'x' is not a valid device model name",
    ),
    "-device x: 'x' is not a valid device model name",
  );
  assert.equal(qemuComplaint("Cannot access storage file '/a.iso': No such file or directory"), undefined);
});

test("QEMU's complaint in its log, when libvirt's error lacks it: only the failed start's own", () => {
  const tail = [
    '2026-12-07T13:40:00.100000Z qemu-system-x86_64: -device old: an older run',
    '-msg timestamp=on',
    '2026-12-07 13:48:52.961+0000: Domain id=281 is tainted: custom-argv',
    'char device redirected to /dev/pts/0 (label charserial0)',
    "2026-12-07T13:48:53.072351Z qemu-system-x86_64: -device x: 'x' is not a valid device model name",
    '2026-12-07 13:48:53.080+0000: shutting down, reason=failed',
  ].join('\n');
  assert.equal(
    logComplaint(tail, '2026-12-07T13:48:53.500Z'),
    "-device x: 'x' is not a valid device model name",
  );
  // The failure recorded minutes after the log's last complaint: that one belongs to another start.
  assert.equal(logComplaint(tail, '2026-12-07T14:10:00.000Z'), undefined);
  assert.equal(
    logComplaint('2026-12-07 13:48:53.080+0000: shutting down, reason=failed', '2026-12-07T13:48:53Z'),
    undefined,
  );
  assert.equal(logComplaint(tail, 'not a time'), undefined);
});

test('the files a domain needs: kernel, initrd, loader, NVRAM template, file disks by device (not network disks)', () => {
  const domain = parseXml(`<domain><os><kernel>/k</kernel><initrd>/i</initrd>
    <loader readonly='yes' type='pflash'>/code.fd</loader><nvram template='/vars.fd'>/n.fd</nvram></os>
    <devices>
      <disk type='file' device='disk'><source file='/d.qcow2'/><target dev='vda'/></disk>
      <disk type='file' device='cdrom'><source file='/x.iso'/><target dev='sda'/></disk>
      <disk type='network' device='disk'><source protocol='nbd' name='n'/></disk>
    </devices></domain>`);
  assert.deepEqual(neededFiles(domain), [
    { what: 'kernel', path: '/k', image: false },
    { what: 'initrd', path: '/i', image: false },
    { what: 'firmware loader', path: '/code.fd', image: false },
    { what: 'UEFI variable store template', path: '/vars.fd', image: false },
    { what: 'disk image', path: '/d.qcow2', image: true, target: 'vda' },
    { what: 'CD-ROM image (ISO)', path: '/x.iso', image: false, target: 'sda' },
  ]);
});

test("a hook script's refusal is found inside libvirt's error: the script, the operation, what it printed", () => {
  const env = 'LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root';
  assert.deepEqual(
    hookRefusal(
      `Hook script execution failed: internal error: Child process (${env} /etc/libvirt/hooks/qemu my vm prepare begin -) unexpected exit status 1: no VMs on Sundays\n`,
    ),
    { script: '/etc/libvirt/hooks/qemu', operation: 'prepare', status: 1, output: 'no VMs on Sundays' },
  );
  // A script of hooks/qemu.d/ that printed nothing.
  assert.deepEqual(
    hookRefusal(
      `Hook script execution failed: internal error: Child process (${env} /etc/libvirt/hooks/qemu.d/50-policy web start begin -) unexpected exit status 3`,
    ),
    { script: '/etc/libvirt/hooks/qemu.d/50-policy', operation: 'start', status: 3 },
  );
  assert.equal(hookRefusal("Cannot access storage file '/a.iso': No such file or directory"), undefined);
});
