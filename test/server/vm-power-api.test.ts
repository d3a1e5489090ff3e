/**
 * The VM power routes against the real system daemon with the test guest: the CLI's JSON shapes,
 * typed 404/409/400 errors, and the shutdown job followed to its end through GET /api/jobs/{id}.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { testGuestDomainXml, waitForReport } from '../support/test-guest.js';
import { removeDomain, uniqueName } from '../libvirt/helpers.js';
import { waitFor } from '../support/wait.js';
import { testApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
let lv: Libvirt;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-api-power-'));
const name = uniqueName('api-power');
const serialFile = join(dir, 'serial.log');

before(async () => {
  api = await testApi();
  lv = await connect('qemu:///system');
  await lv.domains.define(testGuestDomainXml({ name, serialFile }));
});
after(async () => {
  await removeDomain(lv, name);
  await lv.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('start, pause, resume, shutdown through the API; wrong states are 409, unknown VMs and hosts 404', async () => {
  const unknown = await api.call('POST', '/api/vms/no-such-vm-here/start');
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'vm-not-found');
  const badHost = await api.call('GET', `/api/vms/${name}?host=elsewhere`);
  assert.equal(badHost.statusCode, 404);
  assert.equal(badHost.json().error.code, 'host-not-found');
  const pause = await api.call('POST', `/api/vms/${name}/pause`);
  assert.equal(pause.statusCode, 409);
  assert.equal(pause.json().error.code, 'vm-wrong-state');
  assert.match(pause.json().error.hint, /phyllo vm start|start/);
  const early = await api.call('POST', `/api/vms/${name}/shutdown`, {});
  assert.equal(early.statusCode, 409, 'a shut-off VM is refused before any job starts');

  const started = await api.call('POST', `/api/vms/${name}/start`);
  assert.equal(started.statusCode, 200);
  assert.deepEqual(started.json(), { name, operation: 'start', state: 'running' });
  await waitForReport(serialFile);
  const list = (await api.call('GET', '/api/vms')).json() as { name: string; state: string }[];
  assert.equal(list.find((v) => v.name === name)?.state, 'running');
  const info = await api.call('GET', `/api/vms/${name}`);
  assert.equal(info.statusCode, 200);
  assert.equal(info.json().name, name);
  assert.equal((await api.call('POST', `/api/vms/${name}/pause`)).json().state, 'paused');
  assert.equal((await api.call('POST', `/api/vms/${name}/resume`)).json().state, 'running');

  const badBody = await api.call('POST', `/api/vms/${name}/shutdown`, { timeout: 'soon' });
  assert.equal(badBody.statusCode, 400);
  assert.equal(badBody.json().error.code, 'invalid-input');
  assert.match(badBody.json().error.message, /timeout/);

  const accepted = await api.call('POST', `/api/vms/${name}/shutdown`, { timeout: 120 });
  assert.equal(accepted.statusCode, 202);
  const job = accepted.json() as { id: string; kind: string; vm: string };
  assert.equal(job.kind, 'shutdown');
  assert.equal(job.vm, name);
  const ended = await waitFor('the shutdown job to end', async () => {
    const j = (await api.call('GET', `/api/jobs/${job.id}`)).json();
    return j.state === 'running' ? undefined : j;
  });
  assert.equal(ended.state, 'done', JSON.stringify(ended.error));
  assert.equal(ended.result.state, 'shutoff');
  assert.equal(ended.result.forced, false);
  assert.equal((await lv.domains.lookup(name).then((d) => d.state())).state, 'shutoff');
  const jobs = (await api.call('GET', '/api/jobs')).json() as { id: string }[];
  assert.ok(jobs.some((j) => j.id === job.id));
  assert.equal((await api.call('GET', '/api/jobs/nope')).statusCode, 404);
});
