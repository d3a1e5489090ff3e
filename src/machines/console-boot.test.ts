import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KERNEL_CMDLINE } from '../host/qemu-boot.js';
import { bootTestDomainXml } from './console-boot.js';

const paths = { kernel: '/pool/a&b-vmlinuz', initrd: '/pool/x-initrd.img' };

test("the boot test's domain: the local test's guest, CPU model and command line, a serial console and nothing else", () => {
  const xml = bootTestDomainXml('phyllome-boot-test-1', 'kvm', paths);
  assert.match(xml, /^<domain type='kvm'>/);
  assert.match(xml, /<cpu mode='maximum' check='none'\/>/);
  assert.match(xml, /<memory unit='MiB'>128<\/memory>/);
  assert.ok(xml.includes(`<cmdline>${KERNEL_CMDLINE}</cmdline>`));
  assert.match(xml, /<kernel>\/pool\/a&amp;b-vmlinuz<\/kernel>/);
  assert.match(xml, /<initrd>\/pool\/x-initrd.img<\/initrd>/);
  assert.match(xml, /<bios useserial='yes'\/>/);
  assert.match(xml, /<on_poweroff>destroy<\/on_poweroff>/);
  assert.match(xml, /<console type='pty'>/);
  for (const absent of ['<disk', '<interface', '<graphics', '<video'])
    assert.ok(!xml.includes(absent), absent);
  assert.match(bootTestDomainXml('n', 'tcg', paths), /^<domain type='qemu'>/);
});
