// The real machine the tests run on. Whether KVM really runs a guest here is what the boot test
// finds out (on the build machines /dev/kvm opens, yet a Linux guest hangs under it); the tests hold
// either way: each checks that the verdict, `phyllo host check` and the cache agree with the boot
// test's own observations. Each test starts from an empty cache of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kvmVerdict, type KvmState } from '../../src/host/kvm-verdict.js';
import { emptyCache } from '../support/empty-cache.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('live host: kvmVerdict boots a real guest under KVM and its verdict is what the boot showed', async () => {
  const cache = emptyCache({ setEnv: false });
  const v = await kvmVerdict({ cacheDir: cache.dir, onProgress: () => {} });
  if (!existsSync('/dev/kvm')) {
    assert.equal(v.state, 'unavailable', `${v.summary}: ${v.detail}`);
    assert.equal(v.usable, false);
    return;
  }
  assert.equal(v.cached, false, 'an empty cache: the boot test ran now');
  const kvm = v.test?.kvm;
  assert.ok(kvm, `the boot test ran a guest under KVM: ${v.summary}: ${v.detail}`);
  if (kvm.booted) {
    assert.equal(v.state, 'works', `${v.summary}: ${v.detail}`);
    assert.equal(v.usable, true);
    assert.equal(kvm.stage, 'init', 'booted means the guest reached init');
  } else {
    assert.equal(v.state, 'broken', `${v.summary}: ${v.detail}`);
    assert.equal(v.usable, false);
    assert.notEqual(kvm.stage, 'init');
    assert.equal(v.test?.control?.booted, true, 'the same guest boots under TCG, so KVM is what fails');
    assert.match(v.detail, /under KVM/);
  }
  const again = await kvmVerdict({ cacheDir: cache.dir });
  assert.deepEqual(
    { cached: again.cached, state: again.state, key: again.key, testedAt: again.testedAt },
    { cached: true, state: v.state, key: v.key, testedAt: v.testedAt },
    'the second call reads the result the first one cached',
  );
});

/** The kvm.works check for each verdict state (src/host/checks/cpu-kvm.ts). */
const KVM_WORKS_STATUS: Record<KvmState, string> = {
  works: 'pass',
  broken: 'fail',
  unavailable: 'fail',
  unknown: 'warn',
};

function hostCheck(xdg: string): Promise<{ code: number; report: HostCheckReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, 'host', 'check', '--json'],
      { env: { ...process.env, XDG_CACHE_HOME: xdg } },
      (err, stdout) => {
        try {
          resolve({ code: err ? Number(err.code) : 0, report: JSON.parse(stdout) as HostCheckReport });
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      },
    );
  });
}

interface HostCheckReport {
  verdict: string;
  checks: { id: string; status: string }[];
  host: { kvmVerdict: { state: KvmState; cached: boolean; key?: string; testedAt?: string } };
}

test('live host: `phyllo host check --json` runs the boot test once, reports kvm.works from it, then reads the cache', async () => {
  const cache = emptyCache({ setEnv: false });
  const first = await hostCheck(cache.xdg);
  const verdict = first.report.host.kvmVerdict;
  const status = (id: string) => first.report.checks.find((c) => c.id === id)?.status;
  assert.equal(
    status('kvm.works'),
    KVM_WORKS_STATUS[verdict.state],
    `kvm.works for a ${verdict.state} verdict`,
  );
  if (verdict.state === 'works' || verdict.state === 'broken') {
    assert.equal(verdict.cached, false, 'an empty cache: the CLI ran the boot test');
    assert.equal(status('kvm.device'), 'pass', 'the boot test opened /dev/kvm');
  }
  const failing = first.report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  assert.equal(first.code, failing.length ? 1 : 0, `exit code with failing checks ${failing.join(', ')}`);
  if (failing.length) assert.notEqual(first.report.verdict, 'ready');
  else assert.equal(first.report.verdict, 'ready');

  if (verdict.state === 'works' || verdict.state === 'broken') {
    const second = await hostCheck(cache.xdg);
    const cached = second.report.host.kvmVerdict;
    assert.deepEqual(
      { cached: cached.cached, state: cached.state, key: cached.key, testedAt: cached.testedAt },
      { cached: true, state: verdict.state, key: verdict.key, testedAt: verdict.testedAt },
      'the second run used the result the first run cached',
    );
  }
});
