/**
 * `--root` must name a host's root file system: every command that probes a root refuses a missing
 * one, or one without proc/ or sys/, with a typed error naming the missing part (never a made-up
 * report). And a CPU that is neither Intel nor AMD is reported as unknown, without either's advice.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { hostCheck } from '../../src/host/host-check.js';
import { hostDevices } from '../../src/host/devices.js';
import { HostRootError } from '../../src/host/errors.js';
import { kvmVerdict } from '../../src/host/kvm-verdict.js';
import { probeHost } from '../../src/host/probe.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let fx: ReturnType<typeof makeFixtures>;
let missing: string;
let noSys: string;
before(() => {
  fx = makeFixtures(['unknown-vendor', 'amd-desktop']);
  missing = join(fx.dir, 'no-such-root');
  // A real host tree with its sys/ gone: proc/ alone is not a host.
  noSys = join(fx.dir, 'amd-desktop');
  rmSync(join(noSys, 'sys'), { recursive: true });
});
after(() => fx.cleanup());

function phyllo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

const isRootError = (root: string, problem: RegExp) => (err: unknown) =>
  err instanceof HostRootError &&
  err.code === 'host-root-invalid' &&
  err.root === root &&
  problem.test(err.message);

test('the probes refuse a missing root and a root without sys/, naming the missing part', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'phyllo-root-cache-'));
  try {
    for (const [root, problem] of [
      [missing, /does not exist$/],
      [noSys, /has no sys\/ directory/],
    ] as const) {
      await assert.rejects(hostCheck({ root, cacheDir }), isRootError(root, problem));
      await assert.rejects(hostDevices({ root }), isRootError(root, problem));
      await assert.rejects(probeHost({ root }), isRootError(root, problem));
      await assert.rejects(kvmVerdict({ root, cacheDir }), isRootError(root, problem));
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('every command with --root says so as a JSON error and exits non-zero', async () => {
  const commands = [
    ['host', 'check'],
    ['host', 'devices'],
    ['status'],
    ['os', 'explain', 'linux'],
    ['vm', 'create', 'x', '--os', 'linux', '--print-xml'],
  ];
  for (const cmd of commands) {
    const r = await phyllo([...cmd, '--root', noSys, '--json']);
    assert.notEqual(r.code, 0, cmd.join(' '));
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(out.error.code, 'host-root-invalid', cmd.join(' '));
    assert.equal(
      out.error.message,
      `The host root ${noSys} has no sys/ directory: it is not a host's root file system`,
    );
  }
  const r = await phyllo(['host', 'check', '--root', missing]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`The host root ${missing} does not exist`));
  assert.doesNotMatch(r.stdout, /Verdict|Host check/, 'no report is made up');
});

test('a CentaurHauls CPU is "unknown": no Intel (or AMD) advice anywhere in the report', async () => {
  const root = fx.roots['unknown-vendor']!;
  const facts = await probeHost({ root });
  assert.ok(facts.cpu.known);
  assert.equal(facts.cpu.value.vendor, 'unknown');
  assert.equal(facts.cpu.value.vendorId, 'CentaurHauls');
  const report = await hostCheck({ root });
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.match(byId['cpu.virtualization']!.detail, /CentaurHauls, neither Intel nor AMD/);
  assert.match(byId['kvm.device']!.detail, /kvm_intel \(vmx\) or kvm_amd \(svm\)/);
  assert.match(byId['iommu.firmware']!.summary, /an IOMMU \(VT-d or AMD-Vi\)/);
  const text = report.checks.map((c) => `${c.summary}\n${c.detail}\n${c.fix}`).join('\n');
  // One vendor's words alone (its firmware menu, its module, its kernel parameter) would be wrong here.
  for (const vendorOnly of [
    /Intel Virtualization Technology/,
    /System Agent/,
    /AMD CBS/,
    /SVM Mode/,
    /modprobe kvm_intel`(?! \(a CPU with vmx\))/,
    /Intel VT-x|Intel VT-d/,
  ])
    assert.doesNotMatch(text, vendorOnly);
});

test('a root holding proc/ and sys/ and nothing else is probed: its facts are unknown, with reasons', async () => {
  const bare = join(fx.dir, 'bare');
  mkdirSync(join(bare, 'proc'), { recursive: true });
  mkdirSync(join(bare, 'sys'), { recursive: true });
  const facts = await probeHost({ root: bare });
  assert.equal(facts.cpu.known, false);
});
