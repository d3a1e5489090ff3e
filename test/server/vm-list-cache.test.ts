/**
 * GET /api/vms from the server's in-memory list (src/server/vm-list-cache.ts) against real daemons:
 * a change made outside the API is in the list as soon as the server has its event (seen here as the
 * /api/events message, which the server sends in the tick it got the event: no polling); a change
 * made through the API is in the list as soon as its reply is in; after a restart of the daemon the
 * list is read again in full (a VM added and one removed behind its back while it was down).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { hostIdOf } from '../../src/server/hosts.js';
import { listVms } from '../../src/machines/vm-list.js';
import { testGuestDomainXml, waitForReport } from '../support/test-guest.js';
import { removeDomain, tcgDomainXml, uniqueName, virsh } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { EventsClient } from '../support/events-client.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { waitFor } from '../support/wait.js';

interface Vm {
  name: string;
  uuid: string;
  state: string;
  vcpus: number | null;
  memoryBytes: number | null;
  uptimeSeconds: number | null;
  cpuPercent: number | null;
  memoryInUseBytes: number | null;
  statsAt: string | null;
}

let api: TestApi;
let lv: Libvirt;
let events: EventsClient;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-api-list-'));
const name = uniqueName('api-list');
const renamed = `${name}-b`;
const transient = uniqueName('api-list-t');

before(async () => {
  api = await testApi();
  lv = await connect('qemu:///system');
  const s = await api.listen();
  events = await EventsClient.open(`${s.ws}/api/events`, {
    authorization: `Bearer ${api.token}`,
    origin: s.origin,
  });
});
after(async () => {
  await events?.close().catch(() => undefined);
  for (const n of [name, renamed, transient]) await removeDomain(lv, n);
  await lv?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function list(a: TestApi = api, query = ''): Promise<Vm[]> {
  const res = await a.call('GET', `/api/vms${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Vm[];
}
const find = async (n: string, a?: TestApi) => (await list(a)).find((v) => v.name === n);
/** The server's /api/events message of this lifecycle event: the server has the event. */
const lifecycle = (c: EventsClient, vm: string, event: string) =>
  c.next((m) => m.type === 'lifecycle' && m.vm === vm && m.event === event, `${event} of ${vm}`);

test('changes outside the API are listed once the server has their event; the API’s own at its reply', async () => {
  assert.equal(await find(name), undefined);
  const serialFile = join(dir, 'serial.log');
  const dom = await lv.domains.define(testGuestDomainXml({ name, serialFile }));
  await lifecycle(events, name, 'defined');
  const defined = await find(name);
  assert.equal(defined?.state, 'shutoff');
  assert.equal(defined.uuid, dom.uuid);
  assert.ok(defined.vcpus && defined.memoryBytes);
  assert.equal(defined.uptimeSeconds, null);
  // Field for field what `phyllo vm list --json` gives (its service, listVms), and statsAt.
  const { statsAt, ...fields } = defined;
  assert.deepEqual(
    fields,
    (await listVms(lv)).find((v) => v.name === name),
  );
  assert.ok(statsAt && Date.parse(statsAt) > 0);

  // Through the API: right after the reply, whether or not the event has come yet.
  const started = await api.call('POST', `/api/vms/${name}/start`);
  assert.equal(started.statusCode, 200, started.body);
  const running = await find(name);
  assert.equal(running?.state, 'running');
  assert.equal(typeof running.uptimeSeconds, 'number');
  assert.ok(running.memoryInUseBytes && running.memoryInUseBytes > 0, 'memory in use from its re-read');
  assert.ok(running.statsAt && Date.parse(running.statsAt) > 0);
  await waitForReport(serialFile);
  assert.equal((await api.call('POST', `/api/vms/${name}/pause`)).statusCode, 200);
  assert.equal((await find(name))?.state, 'paused');
  assert.equal((await api.call('POST', `/api/vms/${name}/kill`)).statusCode, 200);
  const killed = await find(name);
  assert.equal(killed?.state, 'shutoff');
  assert.equal(killed.memoryInUseBytes, null);
  assert.equal(killed.uptimeSeconds, null);
  await lifecycle(events, name, 'stopped'); // the events of the API's changes, taken

  // Through libvirt: after the event.
  const before = events.received.length;
  await dom.start();
  await lifecycle(events, name, 'started');
  assert.equal((await find(name))?.state, 'running');
  // CPU % comes with the background sample (every 2 s while the list is in demand), never per request.
  const sampled = await waitFor('a CPU % from the background sample', async () => {
    const v = await find(name);
    return v?.cpuPercent === null ? undefined : v;
  });
  assert.equal(typeof sampled?.cpuPercent, 'number');
  assert.ok(Date.parse(sampled!.statsAt!) > Date.parse(running.statsAt));
  await dom.suspend();
  await lifecycle(events, name, 'suspended');
  assert.equal((await find(name))?.state, 'paused');
  await dom.destroy();
  await lifecycle(events, name, 'stopped');
  assert.equal((await find(name))?.state, 'shutoff');
  assert.ok(events.received.length > before);

  // A rename (virsh, another client): the same UUID under its new name.
  await virsh('domrename', name, renamed);
  await lifecycle(events, renamed, 'defined');
  const names = (await list()).map((v) => v.name);
  assert.ok(names.includes(renamed) && !names.includes(name), 'renamed');
  assert.equal((await find(renamed))?.uuid, dom.uuid);

  // Undefined, and defined again under the same name: a new UUID.
  await virsh('undefine', renamed);
  await lifecycle(events, renamed, 'undefined');
  assert.equal(await find(renamed), undefined);
  const again = await lv.domains.define(testGuestDomainXml({ name: renamed, serialFile }));
  await lifecycle(events, renamed, 'defined');
  const redefined = (await list()).filter((v) => v.name === renamed);
  assert.deepEqual(
    redefined.map((v) => v.uuid),
    [again.uuid],
  );
  assert.notEqual(again.uuid, dom.uuid);
  await again.undefine();
  await lifecycle(events, renamed, 'undefined');
  assert.equal(await find(renamed), undefined, 'gone once undefined');
});

test('a transient domain is listed while it runs and gone when it stops', async () => {
  const dom = await lv.domains.create(tcgDomainXml(transient));
  await lifecycle(events, transient, 'started');
  assert.equal((await find(transient))?.state, 'running');
  await dom.destroy();
  await lifecycle(events, transient, 'stopped');
  assert.equal(await find(transient), undefined);
});

test('?cpu=true still samples when asked, with statsAt', async () => {
  const vms = await list(api, '?cpu=true');
  assert.ok(vms.every((v) => typeof v.statsAt === 'string'));
});

test(
  'a daemon restarted: 503 while it is down, then the list is read again in full',
  { skip: secondHostSkip() },
  async () => {
    let host: SecondHost | undefined;
    let api2: TestApi | undefined;
    let c: EventsClient | undefined;
    try {
      host = await startSecondHost();
      const conn = await connect(host.uri);
      const kept = uniqueName('api-list-kept');
      const dropped = uniqueName('api-list-dropped');
      const added = uniqueName('api-list-added');
      for (const n of [kept, dropped]) await conn.domains.define(tcgDomainXml(n));
      await conn.close();
      api2 = await testApi({ uris: [host.uri] });
      const s2 = await api2.listen();
      c = await EventsClient.open(`${s2.ws}/api/events`, {
        authorization: `Bearer ${api2.token}`,
        origin: s2.origin,
      });
      const names = async () => (await list(api2)).map((v) => v.name).sort();
      assert.deepEqual(await names(), [dropped, kept].sort());

      host.killDaemon();
      await c.next((m) => m.type === 'host' && m.connected === false, 'host down');
      const during = await api2.call('GET', '/api/vms');
      assert.equal(during.statusCode, 503, during.body);
      assert.equal(during.json().error.code, 'host-unavailable');
      // Behind the daemon's back (no event can tell): one definition removed, one added.
      const etc = join(host.dir, 'etc', 'qemu');
      unlinkSync(join(etc, `${dropped}.xml`));
      writeFileSync(
        join(etc, `${added}.xml`),
        tcgDomainXml(added).replace('<name>', `<uuid>${randomUUID()}</uuid><name>`),
      );
      await host.restartDaemon();
      await c.next((m) => m.type === 'host' && m.connected === true, 'host back');
      assert.deepEqual(await names(), [added, kept].sort(), 'read again in full');
      assert.equal(hostIdOf(host.uri), (await api2.call('GET', '/api/hosts')).json()[0].id);
    } finally {
      await c?.close().catch(() => undefined);
      await api2?.close();
      await host?.stop();
    }
  },
);
