import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let fx: ReturnType<typeof makeFixtures>;
before(() => {
  fx = makeFixtures(['amd-desktop', 'vtx-disabled']);
});
after(() => fx.cleanup());

function phyllo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

test('host check --json: exact shape, exit 0 when nothing fails', async () => {
  const r = await phyllo(['host', 'check', '--root', fx.roots['amd-desktop']!, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(report), ['verdict', 'checks', 'host']);
  assert.equal(report.verdict, 'ready');
  for (const c of report.checks)
    assert.deepEqual(Object.keys(c), ['id', 'status', 'summary', 'detail', 'fix']);
  assert.equal(report.host.cpu.value.vendor, 'amd');
});

test('host check: exit 1 when a check fails; human output shows marks, verdict and fixes', async () => {
  const r = await phyllo(['host', 'check', '--root', fx.roots['vtx-disabled']!]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Host check: DEGRADED/);
  assert.match(r.stdout, /✘ fail {2}cpu\.virtualization/);
  assert.match(r.stdout, /fix: Reboot into the firmware setup .* Intel Virtualization Technology/);
  assert.match(r.stdout, /Verdict: degraded \(3 fail, /);
});

test('host devices --json: exactly the documented shape', async () => {
  const r = await phyllo(['host', 'devices', '--root', fx.roots['amd-desktop']!, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(m), ['iommu', 'groups', 'usb', 'gpus']);
  assert.deepEqual(Object.keys(m.iommu), ['enabled', 'acsOverride']);
  assert.deepEqual(Object.keys(m.groups[0]), ['id', 'verdict', 'reasons', 'devices']);
  assert.deepEqual(Object.keys(m.groups[0].devices[0]), [
    'address',
    'vendorId',
    'deviceId',
    'class',
    'name',
    'driver',
    'resetMethods',
    'bridge',
  ]);
  const human = await phyllo(['host', 'devices', '--root', fx.roots['amd-desktop']!]);
  assert.match(human.stdout, /IOMMU group 2: shared/);
  assert.match(
    human.stdout,
    /1-3 +\[046d:c31c\] Logitech, Inc\. Keyboard K120 +\(keyboard, on 0000:03:00\.0\)/,
  );
});

test('host devices without IOMMU groups: the warning and the plain PCI list', async () => {
  const r = await phyllo(['host', 'devices', '--root', fx.roots['vtx-disabled']!]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^! IOMMU off: no PCI passthrough at all/);
  assert.match(r.stdout, /PCI devices \(no IOMMU groups\):\n {2}0000:00:00\.0 {2}\[8086:191f\]/);
  assert.match(
    r.stdout,
    /0000:00:02\.0 {2}\[8086:1912\] Intel Corporation HD Graphics 530 {2}\(driver i915; no reset\)/,
  );
});
