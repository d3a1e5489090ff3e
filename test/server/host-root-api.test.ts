/**
 * The server's `hostRoot` (the CLI's `--root DIR` for the host routes): with the AMD two-GPU desktop
 * fixture as the root, /api/host/devices, /api/host/check, /api/host/overhead and /api/status's KVM
 * verdict read that tree, not this machine, and answer what `phyllo host … --root DIR --json` prints.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { phyllo } from '../support/bin-phyllo.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

let api: TestApi;
let fx: ReturnType<typeof makeFixtures>;
let root: string;
before(async () => {
  fx = makeFixtures(['amd-desktop']);
  root = fx.roots['amd-desktop']!;
  api = await testApi({ hostRoot: root });
});
after(async () => {
  await api?.close();
  fx?.cleanup();
});

const get = async (url: string) => {
  const res = await api.call('GET', url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json() as Record<string, unknown>;
};

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await phyllo(...args, '--root', root, '--json');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('the host routes read the fixture root: its IOMMU groups, its checks, its memory, its KVM verdict', async () => {
  const devices = await get('/api/host/devices');
  assert.deepEqual(devices, await cli('host', 'devices'));
  assert.deepEqual(
    (devices.gpus as { address: string }[]).map((g) => g.address),
    ['0000:02:00.0', '0000:0b:00.0'],
    'the two GPUs of the fixture, which this machine does not have',
  );
  const check = (await get('/api/host/check')) as {
    verdict: string;
    checks: { id: string; status: string }[];
  };
  const theirs = (await cli('host', 'check')) as typeof check;
  assert.equal(check.verdict, theirs.verdict);
  assert.deepEqual(
    check.checks.map((c) => [c.id, c.status]),
    theirs.checks.map((c) => [c.id, c.status]),
  );
  assert.equal(check.checks.find((c) => c.id === 'iommu.kernel')?.status, 'pass');
  const overhead = (await get('/api/host/overhead?sample=0')) as { memory: { totalBytes: number } };
  assert.equal(overhead.memory.totalBytes, (64 * 1024 * 1024 - 600 * 1024) * 1024, "the fixture's MemTotal");
  const status = (await get('/api/status')) as { kvm: { state: string } };
  assert.equal(status.kvm.state, 'works', "the fixture's scripted boot test, not this machine's broken KVM");
});
