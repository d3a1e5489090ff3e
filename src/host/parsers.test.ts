import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpuinfo } from './cpu.js';
import { parseCmdline, cmdlineValue } from './cmdline.js';
import { parseMeminfo, parseBracketed } from './memory.js';
import { parseMountinfo, parseSwaps, mountOf } from './storage.js';
import { parseBoolParam } from './kvm.js';
import { parseQemuVersion } from './kvm-verdict.js';

test('cpuinfo: Intel, AMD and Hygon (an AMD design) are known; any other vendor, or none, is unknown', () => {
  const one = (vendor: string | null) =>
    parseCpuinfo(
      `processor\t: 0\n${vendor === null ? '' : `vendor_id\t: ${vendor}\n`}model name\t: x\nflags\t\t: fpu\n`,
    );
  const vendors: [string | null, string, string][] = [
    ['GenuineIntel', 'intel', 'GenuineIntel'],
    ['AuthenticAMD', 'amd', 'AuthenticAMD'],
    ['HygonGenuine', 'amd', 'HygonGenuine'],
    ['CentaurHauls', 'unknown', 'CentaurHauls'],
    ['  Shanghai  ', 'unknown', 'Shanghai'],
    ['', 'unknown', 'unknown'],
    [null, 'unknown', 'unknown'],
  ];
  for (const [id, vendor, vendorId] of vendors) {
    const f = one(id);
    assert.ok(f.known);
    assert.deepEqual([f.value.vendor, f.value.vendorId], [vendor, vendorId], String(id));
  }
});

test('cpuinfo: vendor, threads, cores and flags', () => {
  const block = (i: number, core: number) =>
    `processor\t: ${i}\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 5\nphysical id\t: 0\ncore id\t\t: ${core}\nflags\t\t: fpu svm pdpe1gb\n`;
  const f = parseCpuinfo([block(0, 0), block(1, 0), block(2, 1), block(3, 1)].join('\n'));
  assert.ok(f.known);
  assert.equal(f.value.vendor, 'amd');
  assert.equal(f.value.threads, 4);
  assert.equal(f.value.cores, 2);
  assert.equal(f.value.svm, true);
  assert.equal(f.value.vmx, false);
  assert.equal(f.value.runningAsGuest, false);
  assert.equal(f.value.gigabytePages, true);
});

test('cpuinfo: garbage is an unknown fact, not an exception', () => {
  const f = parseCpuinfo('\u0000\u0001 not a cpuinfo at all');
  assert.equal(f.known, false);
  assert.match(f.known ? '' : f.reason, /no processor/);
});

test('cmdline: dashes equal underscores; init arguments after -- are ignored', () => {
  const c = parseCmdline(
    'root=/dev/sda1 intel-iommu=on pcie_acs_override=downstream,multifunction quiet -- iommu=off\n',
  );
  assert.equal(cmdlineValue(c, 'intel_iommu'), 'on');
  assert.equal(cmdlineValue(c, 'pcie-acs-override'), 'downstream,multifunction');
  assert.equal(cmdlineValue(c, 'quiet'), true);
  assert.equal(cmdlineValue(c, 'iommu'), undefined);
});

test('meminfo: kB lines become bytes; missing MemTotal is unknown', () => {
  const m = parseMeminfo('MemTotal:       24684092 kB\nMemAvailable:   24228780 kB\n');
  assert.deepEqual(m, {
    known: true,
    value: { totalBytes: 24684092 * 1024, availableBytes: 24228780 * 1024 },
  });
  assert.equal(parseMeminfo('MemFree: 12 kB').known, false);
  assert.equal(parseBracketed('always [madvise] never'), 'madvise');
  assert.equal(parseBracketed('garbage'), null);
});

test('mountinfo, swaps and the mount of a path', () => {
  const mounts = parseMountinfo(
    [
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '30 27 259:1 / /boot/efi rw - vfat /dev/nvme0n1p1 rw',
      '31 27 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw',
      'garbled line without separator',
    ].join('\n'),
  );
  assert.equal(mounts.length, 3);
  assert.equal(mounts[2]?.mountPoint, '/mnt/with space');
  assert.equal(mountOf(mounts, '/boot/efi/EFI/debian')?.majMin, '259:1');
  assert.equal(mountOf(mounts, '/var/lib')?.majMin, '254:0');
  assert.deepEqual(
    parseSwaps('Filename Type Size Used Priority\n/dev/dm-1 partition 1 0 -2\n/swapfile file 1 0 -3\n'),
    ['/dev/dm-1', '/swapfile'],
  );
});

test('module parameters and QEMU versions', () => {
  assert.equal(parseBoolParam('Y\n'), true);
  assert.equal(parseBoolParam('0'), false);
  assert.equal(parseBoolParam('maybe'), null);
  assert.equal(
    parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n'),
    '7.2.22',
  );
  assert.equal(parseQemuVersion('nonsense'), undefined);
});
