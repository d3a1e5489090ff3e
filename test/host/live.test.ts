// The real machine the tests run on: a nested PVM guest where /dev/kvm exists and opens, yet a
// Linux guest hangs under KVM. The boot test must say so, and the host must be `degraded`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kvmVerdict } from '../../src/host/kvm-verdict.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const xdg = mkdtempSync(join(tmpdir(), 'phyllo-live-'));
after(() => rmSync(xdg, { recursive: true, force: true }));

test('live host: kvmVerdict boots a real guest under KVM and finds KVM broken', async () => {
  const v = await kvmVerdict({ retest: true, cacheDir: join(xdg, 'phyllome'), onProgress: () => {} });
  assert.equal(v.state, 'broken', `${v.summary}: ${v.detail}`);
  assert.equal(v.usable, false);
  assert.equal(v.cached, false);
  assert.equal(v.test?.kvm?.booted, false);
  assert.notEqual(v.test?.kvm?.stage, 'init');
  assert.equal(v.test?.control?.booted, true, 'the same guest boots under TCG, so KVM is what fails');
  assert.match(v.detail, /under KVM/);
});

test('live host: `phyllo host check --json` says kvm.works fails and the host is degraded', async () => {
  const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [MAIN, 'host', 'check', '--json'],
      { env: { ...process.env, XDG_CACHE_HOME: xdg } },
      (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }),
    );
  });
  const report = JSON.parse(out.stdout);
  assert.equal(out.code, 1, 'a failing check makes the exit code non-zero');
  assert.equal(report.verdict, 'degraded');
  const kvm = report.checks.find((c: { id: string }) => c.id === 'kvm.works');
  assert.equal(kvm.status, 'fail');
  assert.equal(report.host.kvmVerdict.cached, true, 'the CLI used the result the first test cached');
  assert.equal(report.checks.find((c: { id: string }) => c.id === 'kvm.device').status, 'pass');
});
