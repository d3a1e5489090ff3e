import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withVcpuCount } from './set-vm.js';

test('the vCPU count and a topology of that many, keeping the placement and SMT when it divides', () => {
  const xml = `<domain><vcpu placement='static' current='1'>2</vcpu><cpu><topology sockets='1' dies='1' cores='1' threads='2'/></cpu></domain>`;
  assert.equal(
    withVcpuCount(xml, 4),
    `<domain><vcpu placement='static'>4</vcpu><cpu><topology sockets='1' dies='1' cores='2' threads='2'/></cpu></domain>`,
  );
  assert.equal(
    withVcpuCount(xml, 3),
    `<domain><vcpu placement='static'>3</vcpu><cpu><topology sockets='1' dies='1' cores='3' threads='1'/></cpu></domain>`,
  );
  assert.equal(withVcpuCount('<domain><vcpu>2</vcpu></domain>', 5), '<domain><vcpu>5</vcpu></domain>');
});
