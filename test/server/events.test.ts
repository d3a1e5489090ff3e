/**
 * /api/events over a real WebSocket (the `ws` package) against the real system daemon and the test
 * guest: authentication and Origin on the upgrade, lifecycle events in libvirt's order (the delay from
 * libvirt's emission, seen on a second connection of our own, to the client is printed), stats on
 * subscribe with history, a client that stops reading beside one that reads, and a daemon that is
 * killed and started again while the server runs (a second host this test owns).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import {
  connect,
  lifecycleDetailName,
  type EventSubscription,
  type Libvirt,
  type LifecycleEvent,
} from '../../src/libvirt/index.js';
import { hostIdOf } from '../../src/server/hosts.js';
import { removeDomain, uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { EventsClient, type Received } from '../support/events-client.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testGuestDomainXml } from '../support/test-guest.js';
import { waitFor } from '../support/wait.js';

let api: TestApi;
let server: { url: string; ws: string; origin: string };
let lv: Libvirt;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-api-events-'));
const name = uniqueName('api-events');
const iso = join(dir, 'media.iso');
/** A CD-ROM with a medium: the guest has a block device, so the stats have disk counters. */
const cdrom = `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${iso}'/><target dev='sda' bus='sata'/><readonly/></disk>`;
const clients: EventsClient[] = [];

const headers = () => ({ authorization: `Bearer ${api.token}`, origin: server.origin });
async function open(): Promise<EventsClient> {
  const c = await EventsClient.open(`${server.ws}/api/events`, headers());
  clients.push(c);
  return c;
}

/** Lifecycle events of `vm` as libvirt sends them, on a connection of the test's own. */
async function direct(conn: Libvirt, vm: string) {
  const seen: { at: number; event: string; detail: string }[] = [];
  const sub: EventSubscription<LifecycleEvent> = await conn.events.lifecycle({ domain: vm });
  sub.on((e) =>
    seen.push({ at: performance.now(), event: e.event, detail: lifecycleDetailName(e.event, e.detail) }),
  );
  return {
    seen,
    /** Waits until this connection has seen as many events as the client got. */
    caughtUp: (n: number) =>
      waitFor(`${n} events on our own connection`, () => (seen.length >= n ? true : undefined)),
    close: () => sub.close(),
  };
}

const lifecycleOf = (c: EventsClient, vm: string) => c.all('lifecycle').filter((r) => r.m.vm === vm);

/** Prints, per event, the time from its arrival on our own libvirt connection to the client. */
function reportDelays(label: string, got: Received[], seen: { at: number; event: string }[]): number[] {
  const paired = got.slice(0, seen.length);
  const delays = paired.map((r, i) => Math.round((r.at - seen[i]!.at) * 100) / 100);
  console.log(
    `event delay (${label}), libvirt → client, ms: ` +
      paired.map((r, i) => `${String(r.m.event)} ${delays[i]}`).join(', '),
  );
  return delays;
}

before(async () => {
  writeFileSync(iso, Buffer.alloc(64 * 1024));
  chmodSync(dir, 0o755);
  api = await testApi({
    // Small limits, so a client that stops reading overflows soon.
    events: { queue: { window: 8, maxQueued: 50, maxBytes: 256 * 1024, stuckMs: 120_000 } },
  });
  server = await api.listen();
  lv = await connect('qemu:///system');
});
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await removeDomain(lv, name);
  await lv.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the upgrade needs the token or a session, and no foreign Origin', async () => {
  const url = `${server.ws}/api/events`;
  const none = await EventsClient.refused(url, { origin: server.origin });
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.body).error.code, 'unauthorized');
  const badToken = await EventsClient.refused(url, { authorization: 'Bearer nope', origin: server.origin });
  assert.equal(badToken.status, 401);
  const foreign = await EventsClient.refused(url, {
    authorization: `Bearer ${api.token}`,
    origin: 'http://evil.example',
  });
  assert.equal(foreign.status, 403);
  assert.equal(JSON.parse(foreign.body).error.code, 'origin-not-allowed');
  const c = await open();
  assert.deepEqual(c.all('hello')[0]!.m.hosts, [{ id: 'local', uri: 'qemu:///system', connected: true }]);
});

test('a VM defined, then started and killed through the API: its lifecycle events arrive in libvirt’s order', async () => {
  const c = await open();
  const own = await direct(lv, name);
  try {
    await lv.domains.define(testGuestDomainXml({ name, extraDevices: cdrom }));
    // The server runs in this process: its work on the API call below would count in the delay.
    await c.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'defined', 'defined');
    const started = await api.call('POST', `/api/vms/${name}/start`);
    assert.equal(started.statusCode, 200, started.body);
    await c.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'started', 'started');
    const killed = await api.call('POST', `/api/vms/${name}/kill`);
    assert.equal(killed.statusCode, 200, killed.body);
    await c.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'stopped', 'stopped');
    const got = lifecycleOf(c, name);
    await own.caughtUp(got.length);
    assert.deepEqual(
      got.map((r) => [r.m.event, r.m.detail]),
      own.seen.map((e) => [e.event, e.detail]),
      'the same events as libvirt sent, in its order',
    );
    const words = got.map((r) => `${String(r.m.event)}/${String(r.m.detail)}`);
    for (const w of ['defined/added', 'started/booted', 'stopped/destroyed'])
      assert.ok(words.includes(w), `${w} in ${words.join(', ')}`);
    assert.ok(words.indexOf('started/booted') < words.indexOf('stopped/destroyed'));
    const first = got[0]!.m;
    assert.equal(first.host, 'local');
    assert.equal(first.uuid, (await lv.domains.lookup(name)).uuid);
    assert.match(String(first.at), /^\d{4}-\d\d-\d\dT/);
    reportDelays('system daemon', got, own.seen);
  } finally {
    own.close();
  }
});

test('stats while subscribed: a sample each second with its fields, history on subscribing again, none in between', async () => {
  const c = await open();
  const other = await open();
  assert.equal((await api.call('POST', `/api/vms/${name}/start`)).statusCode, 200);
  c.send({ type: 'subscribe', vm: name });
  const sub = (await c.next((m) => m.type === 'subscribed', 'subscribed')).m;
  assert.equal(sub.host, 'local');
  assert.equal(sub.vm, name);
  assert.ok(Array.isArray(sub.history));
  const samples: Received[] = [];
  for (let i = 0; i < 4; i++)
    samples.push(await c.next((m) => m.type === 'stats' && m.vm === name, 'a sample'));
  const s = samples.map((r) => r.m.sample as Record<string, unknown>);
  for (const x of s) {
    assert.equal(x.state, 'running');
    assert.equal(x.vcpus, 1);
    assert.equal(x.memoryBytes, 256 * 1024 * 1024);
    assert.ok(Number(x.memoryInUseBytes) > 0, 'QEMU holds some memory');
    for (const k of ['netRxBytesPerSecond', 'netTxBytesPerSecond']) assert.ok(k in x, k);
  }
  for (const x of s.slice(1)) {
    assert.equal(typeof x.cpuPercent, 'number', 'CPU % from the second sample on');
    assert.ok(Number(x.cpuPercent) >= 0);
    assert.equal(typeof x.diskReadBytesPerSecond, 'number', 'the CD-ROM drive has counters');
    assert.equal(typeof x.diskWriteBytesPerSecond, 'number');
    assert.equal(x.netRxBytesPerSecond, 0, 'no network card: nothing goes in or out');
    assert.equal(x.netTxBytesPerSecond, 0);
  }
  const gaps = s.slice(1).map((x, i) => Date.parse(String(x.at)) - Date.parse(String(s[i]!.at)));
  console.log(`stats: intervals between samples, ms: ${gaps.join(', ')}`);
  assert.ok(
    gaps.every((g) => g > 0),
    'samples in time order',
  );
  assert.equal(other.all('stats').length, 0, 'a client that did not subscribe gets no samples');

  c.send({ type: 'unsubscribe', vm: name });
  await c.next((m) => m.type === 'unsubscribed' && m.vm === name, 'unsubscribed');
  const stoppedAt = Date.now();
  const countAfter = c.all('stats').length;
  await sleep(3000);
  assert.equal(c.all('stats').length, countAfter, 'no samples after unsubscribing');
  c.send({ type: 'subscribe', vm: name });
  const again = (await c.next((m) => m.type === 'subscribed', 'subscribed again')).m;
  const history = again.history as { at: string }[];
  assert.ok(history.length >= 4, `the samples taken before are kept (${history.length})`);
  assert.ok(
    history.every((h) => Date.parse(h.at) <= stoppedAt),
    'nothing was sampled while nobody subscribed',
  );
  await c.next((m) => m.type === 'stats' && m.vm === name, 'samples again');
  c.send({ type: 'unsubscribe', vm: name });
  await c.next((m) => m.type === 'unsubscribed', 'unsubscribed');

  c.send({ type: 'subscribe', vm: 'phyllo-no-such-vm' });
  const err = (await c.next((m) => m.type === 'error', 'an error')).m.error as { code: string };
  assert.equal(err.code, 'vm-not-found');
  c.send({ type: 'shout' });
  const bad = (await c.next((m) => m.type === 'error', 'an error')).m.error as { code: string };
  assert.equal(bad.code, 'invalid-input');
});

test('a client that stops reading does not hold up another; it is told to resync once it reads again', async () => {
  const fine = await open();
  const stuck = await open();
  stuck.send({ type: 'subscribe', vm: name });
  await stuck.next((m) => m.type === 'subscribed', 'subscribed');
  // Stop reading: the server's writes to it pile up in the kernel, then in its queue.
  const raw = (stuck.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  // Each answer carries the VM's stats history (kilobytes): far more than the queue may hold.
  for (let i = 0; i < 1500; i++) stuck.send({ type: 'subscribe', vm: name });
  await sleep(1000);
  const own = await direct(lv, name);
  const from = lifecycleOf(fine, name).length;
  try {
    assert.equal((await api.call('POST', `/api/vms/${name}/kill`)).statusCode, 200);
    await fine.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'stopped', 'stopped');
    assert.equal((await api.call('POST', `/api/vms/${name}/start`)).statusCode, 200);
    await fine.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'started', 'started');
    const got = lifecycleOf(fine, name).slice(from);
    await own.caughtUp(got.length);
    assert.deepEqual(
      got.map((r) => r.m.event),
      own.seen.map((e) => e.event),
    );
    reportDelays('beside a stuck client', got, own.seen);
  } finally {
    own.close();
  }
  const before = stuck.received.length;
  raw.resume();
  const resync = (await stuck.next((m) => m.type === 'resync', 'resync')).m;
  assert.ok(Number(resync.dropped) > 0, 'messages were dropped for it');
  console.log(
    `stuck client: ${stuck.received.length - before} messages delivered after it read again, ${String(resync.dropped)} dropped, then resync`,
  );
  // After the resync it gets events again.
  assert.equal((await api.call('POST', `/api/vms/${name}/kill`)).statusCode, 200);
  await stuck.next(
    (m) => m.type === 'lifecycle' && m.vm === name && m.event === 'stopped',
    'stopped after resync',
  );
  await fine.next((m) => m.type === 'lifecycle' && m.vm === name && m.event === 'stopped', 'stopped');
});

test(
  'libvirtd killed and started again while serving: 503 meanwhile, host events, and events resume',
  { skip: secondHostSkip({ guest: true }) },
  async () => {
    let host: SecondHost | undefined;
    let api2: TestApi | undefined;
    let c: EventsClient | undefined;
    let conn: Libvirt | undefined;
    const vm = uniqueName('api-events-h2');
    try {
      host = await startSecondHost();
      api2 = await testApi({ uris: [host.uri] });
      const s2 = await api2.listen();
      const id = hostIdOf(host.uri);
      c = await EventsClient.open(`${s2.ws}/api/events`, {
        authorization: `Bearer ${api2.token}`,
        origin: s2.origin,
      });
      assert.deepEqual(c.all('hello')[0]!.m.hosts, [{ id, uri: host.uri, connected: true }]);

      host.killDaemon();
      const down = (await c.next((m) => m.type === 'host' && m.connected === false, 'host down')).m;
      assert.equal(down.host, id);
      const during = await api2.call('GET', '/api/vms');
      assert.equal(during.statusCode, 503, during.body);
      assert.ok(
        ['host-unavailable', 'libvirt-connection-closed'].includes(during.json().error.code),
        during.body,
      );

      await host.restartDaemon();
      const up = (await c.next((m) => m.type === 'host' && m.connected === true, 'host back')).m;
      assert.equal(up.host, id);
      assert.equal((await api2.call('GET', '/api/vms')).statusCode, 200);

      conn = await connect(host.uri);
      const own = await direct(conn, vm);
      await conn.domains.define(testGuestDomainXml({ name: vm }));
      await c.next((m) => m.type === 'lifecycle' && m.vm === vm && m.event === 'defined', 'defined');
      const started = await api2.call('POST', `/api/vms/${vm}/start`);
      assert.equal(started.statusCode, 200, started.body);
      const ev = await c.next(
        (m) => m.type === 'lifecycle' && m.vm === vm && m.event === 'started',
        'started',
      );
      assert.equal(ev.m.host, id);
      await own.caughtUp(lifecycleOf(c, vm).length);
      reportDelays('second host, after its restart', lifecycleOf(c, vm), own.seen);
      own.close();
    } finally {
      await c?.close().catch(() => undefined);
      await conn?.close().catch(() => undefined);
      await api2?.close().catch(() => undefined);
      await host?.stop();
    }
  },
);
