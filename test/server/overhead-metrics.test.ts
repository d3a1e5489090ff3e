/**
 * `GET /api/host/overhead`, `GET /metrics` and `phyllo host overhead` on the live host and the real
 * system daemon: the shapes, authentication, and a running test guest's counters in the OpenMetrics text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { testGuestDomainXml, waitForReport } from '../support/test-guest.js';
import { removeDomain, uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { phyllo } from '../support/bin-phyllo.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

let api: TestApi;
let lv: Libvirt;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-metrics-'));
const name = uniqueName('metrics');
const serialFile = join(dir, 'serial.log');

before(async () => {
  api = await testApi();
  lv = await connect('qemu:///system');
  const dom = await lv.domains.define(testGuestDomainXml({ name, serialFile }));
  await dom.start();
  await waitForReport(serialFile);
});
after(async () => {
  await removeDomain(lv, name);
  await lv.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('host overhead: groups add up, this server is in the phyllome group, the guest in guests', async () => {
  const anon = await api.app.inject({ method: 'GET', url: '/api/host/overhead' });
  assert.equal(anon.statusCode, 401);
  const bad = await api.call('GET', '/api/host/overhead?sample=soon');
  assert.equal(bad.statusCode, 400);
  const res = await api.call('GET', '/api/host/overhead?sample=200');
  assert.equal(res.statusCode, 200);
  const r = res.json();
  assert.ok(r.memory.totalBytes > 0);
  assert.ok(r.groups.phyllome.memoryBytes > 10 << 20, 'this process holds some memory');
  assert.ok(r.groups.phyllome.top.some((t: { pid: number }) => t.pid === process.pid));
  assert.ok(r.groups.guests.processes >= 1, 'the running test guest');
  assert.ok(r.groups.virtualization.top.some((t: { name: string }) => /libvirtd|virtqemud/.test(t.name)));
  const held =
    r.groups.host.memoryBytes + r.groups.virtualization.memoryBytes + r.groups.phyllome.memoryBytes;
  assert.equal(r.memory.leftForGuestsBytes, r.memory.totalBytes - held);
  assert.equal(r.services.source, 'processes', 'systemd is not PID 1 on these machines');
});

test('/metrics: OpenMetrics text with the running guest’s counters, ending in # EOF; 401 without a token', async () => {
  assert.equal((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  const res = await api.call('GET', '/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
  const text = res.body;
  assert.ok(text.endsWith('# EOF\n'));
  for (const line of text.trimEnd().split('\n'))
    assert.match(
      line,
      /^(# (TYPE|HELP|UNIT|EOF).*|[a-z_]+(\{[^}]*\})? -?[\d.e+-]+|[a-z_]+(\{[^}]*\})? (NaN|[+-]Inf))$/,
      line,
    );
  const sample = (metric: string) => {
    const m = new RegExp(`^${metric}\\{host="local",vm="${name}"[^}]*\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  assert.equal(sample('phyllome_vm_running'), 1);
  assert.ok((sample('phyllome_vm_cpu_seconds_total') ?? 0) > 0, 'the guest used CPU');
  assert.ok((sample('phyllome_vm_memory_bytes') ?? 0) > 0);
  assert.match(text, /^phyllome_host_memory_bytes\{group="phyllome"\} \d+$/m);
  assert.match(text, /^phyllome_host_memory_left_for_guests_bytes \d+$/m);
});

test('phyllo host overhead: a table, --json, a fixture root, and a bad --sample refused', async () => {
  const human = await phyllo('host', 'overhead', '--sample', '100');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /libvirt and its helpers/);
  assert.match(human.stdout, /left for guests/);
  const fx = makeFixtures(['intel-laptop']);
  try {
    const json = await phyllo(
      'host',
      'overhead',
      '--sample',
      '0',
      '--root',
      fx.roots['intel-laptop']!,
      '--json',
    );
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    assert.ok(r.memory.totalBytes > 0, 'from the fixture’s meminfo');
    assert.equal(r.groups.guests.processes, 0, 'a fixture has no processes');
  } finally {
    fx.cleanup();
  }
  const bad = await phyllo('host', 'overhead', '--sample', 'x', '--json');
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stdout).error.code, 'invalid-input');
});
