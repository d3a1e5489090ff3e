/**
 * The host and OS routes against the real system daemon, answering what `phyllo … --json` prints:
 * status, host check, host devices, os list/show/explain; their 400s (bad options, paths outside the
 * allowed directories), and a remote host where only this machine's hardware can be read (400) or
 * its daemon is down (503).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { phyllo } from '../support/bin-phyllo.js';
import { testApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-api-os-')));
// Nothing listens there: a remote host (tcp transport) whose daemon is down.
const DOWN = 'qemu+tcp://127.0.0.1:9/system';
before(async () => {
  api = await testApi({ uris: ['qemu:///system', DOWN], allowedDirs: [dir] });
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<unknown> {
  const r = await phyllo(...args, '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout);
}

const get = async (url: string, status = 200) => {
  const res = await api.call('GET', url);
  assert.equal(res.statusCode, status, `${url}: ${res.body}`);
  return res.json() as Record<string, unknown> & { error?: { code: string; message: string; hint?: string } };
};

test('GET /api/status: the shape and facts of `phyllo status --json`', async () => {
  const [mine, theirs] = await Promise.all([
    get('/api/status'),
    cli('status') as Promise<Record<string, unknown>>,
  ]);
  assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
  for (const k of ['uri', 'hostname', 'libvirtVersion', 'hypervisor', 'accelerators'])
    assert.deepEqual(mine[k], theirs[k], k);
  assert.deepEqual(Object.keys(mine.kvm as object).sort(), Object.keys(theirs.kvm as object).sort());
  assert.equal((mine.kvm as { state: string }).state, (theirs.kvm as { state: string }).state);
  const down = await get(`/api/status?host=127.0.0.1`, 503);
  assert.equal(down.error?.code, 'host-unavailable');
});

test('GET /api/host/check and /api/host/devices: as `phyllo host check/devices --json`; a remote host is 400', async () => {
  const check = await get('/api/host/check');
  const r = await phyllo('host', 'check', '--json'); // exit 1 when a check fails; the report is printed all the same
  const theirs = JSON.parse(r.stdout) as { verdict: string; checks: { id: string; status: string }[] };
  assert.equal(check.verdict, theirs.verdict);
  assert.deepEqual(
    (check.checks as { id: string; status: string }[]).map((c) => [c.id, c.status]),
    theirs.checks.map((c) => [c.id, c.status]),
  );
  assert.deepEqual(await get('/api/host/devices'), await cli('host', 'devices'));
  for (const url of ['/api/host/check?host=127.0.0.1', '/api/host/devices?host=127.0.0.1']) {
    const remote = await get(url, 400);
    assert.equal(remote.error?.code, 'host-not-local');
    assert.match(remote.error!.message, /127\.0\.0\.1/);
    assert.match(remote.error!.hint!, /phyllo host (check|devices) on that machine/);
  }
});

test('GET /api/os, /api/os/{id}: as `phyllo os list/show --json`; an unknown id is 400 unknown-os', async () => {
  assert.deepEqual(await get('/api/os'), await cli('os', 'list'));
  const all = await get('/api/os?all=true');
  assert.ok((all.osinfo as unknown[]).length > 100, 'every osinfo-db id');
  assert.deepEqual(await get('/api/os/win11'), await cli('os', 'show', 'win11'));
  assert.deepEqual(await get('/api/os/linux'), await cli('os', 'show', 'linux'));
  const unknown = await get('/api/os/no-such-os-at-all', 400);
  assert.equal(unknown.error?.code, 'unknown-os');
  assert.match(unknown.error!.message, /no-such-os-at-all/);
});

test('GET /api/os/{id}/explain: the decisions of `phyllo os explain --json` for the same options', async () => {
  const mine = await get('/api/os/linux/explain?memory=2G&vcpus=1&diskSize=none&display=vnc');
  const theirs = (await cli(
    'os',
    'explain',
    'linux',
    '--memory',
    '2G',
    '--vcpus',
    '1',
    '--disk-size',
    'none',
    '--display',
    'vnc',
  )) as typeof mine;
  assert.deepEqual(mine.os, theirs.os);
  const pick = (r: typeof mine) =>
    (r.decisions as { topic: string; choice: string }[]).map((d) => [d.topic, d.choice]);
  assert.deepEqual(pick(mine), pick(theirs));
  assert.ok(
    pick(mine).some(([t, c]) => t === 'memory' && /2048 MiB|2 GiB/.test(c!)),
    JSON.stringify(pick(mine)),
  );
});

test('explain refuses bad options and paths outside the allowed directories (400)', async () => {
  writeFileSync(join(dir, 'not-an-iso.iso'), 'hello');
  symlinkSync('/etc/hostname', join(dir, 'escape.iso'));
  const cases: [string, string, RegExp][] = [
    ['/api/os/linux/explain?initrd=/x', 'invalid-input', /initrd.*need.*kernel/],
    ['/api/os/linux/explain?vcpus=0', 'invalid-option', /vcpus/],
    ['/api/os/linux/explain?iso=/etc/passwd', 'path-not-allowed', /iso "\/etc\/passwd" is not allowed/],
    [`/api/os/linux/explain?iso=${dir}/../../etc/passwd`, 'path-not-allowed', /outside/],
    [`/api/os/linux/explain?iso=${dir}/escape.iso`, 'path-not-allowed', /resolves to \/etc\/hostname/],
    [`/api/os/linux/explain?kernel=relative/vmlinuz`, 'path-not-allowed', /relative/],
    [`/api/os/linux/explain?iso=${dir}/not-an-iso.iso`, 'invalid-file', /not an ISO image/],
    [`/api/os/linux/explain?iso=${dir}/missing.iso`, 'missing-file', /does not exist/],
    ['/api/os/linux/explain?serialLog=/tmp/x', 'invalid-input', /unknown field "serialLog"/],
  ];
  for (const [url, code, message] of cases) {
    const e = (await get(url, 400)).error!;
    assert.equal(e.code, code, `${url}: ${e.message}`);
    assert.match(e.message, message, url);
    if (code === 'path-not-allowed') assert.match(e.hint!, new RegExp(`inside ${dir}`));
  }
});
