import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EventSubscription,
  uuidFromString,
  type DomainEvent,
  type DomainEventKind,
  type DomainState,
  type Libvirt,
} from '../libvirt/index.js';
import type { HostChange, Hosts } from './hosts.js';
import type { JobRegistry, JobView } from './job-registry.js';
import { DomainEventFeed } from './ws/domain-event-feed.js';
import type { VmListEntry } from '../machines/vm-list.js';
import {
  HostVmList,
  namesChangedBy,
  VmListCache,
  type CounterSample,
  type ReadVm,
  type VmReader,
  type VmRef,
} from './vm-list-cache.js';

/** A fake host: its VMs by UUID, what each call read, and reads that can be held back. */
class FakeHost implements VmReader {
  vms = new Map<string, { name: string; state: DomainState; os: string | null; vcpus: number }>();
  calls: string[] = [];
  /** While set, reads wait for it (to have a read in flight when an event comes). */
  gate: Promise<void> | undefined;
  fail: Error | undefined;
  cpuNs = new Map<string, number>();
  rss = 100;

  add(uuid: string, name: string, state: DomainState = 'shutoff', os: string | null = 'debian12') {
    this.vms.set(uuid, { name, state, os, vcpus: 1 });
  }

  private entry(uuid: string, os: string | null): VmListEntry {
    const v = this.vms.get(uuid)!;
    const active = v.state === 'running' || v.state === 'paused';
    return {
      name: v.name,
      uuid,
      state: v.state,
      os,
      vcpus: v.vcpus,
      memoryBytes: 1024,
      disks: [],
      diskAllocationBytes: null,
      diskCapacityBytes: null,
      uptimeSeconds: null,
      cpuPercent: null,
      memoryInUseBytes: active ? this.rss : null,
    };
  }

  private read(uuid: string, os?: string | null): ReadVm {
    const v = this.vms.get(uuid)!;
    const active = v.state === 'running' || v.state === 'paused';
    return {
      ref: { uuid, name: v.name },
      entry: this.entry(uuid, os === undefined ? v.os : os),
      startedAtMs: active ? 1_000_000 : null,
      cpu: null,
      at: 5000,
    };
  }

  private async wait() {
    await this.gate;
    if (this.fail) throw this.fail;
  }

  async all(): Promise<ReadVm[]> {
    this.calls.push('all');
    await this.wait();
    return [...this.vms.keys()].map((u) => this.read(u));
  }

  async one(ref: VmRef, os?: string | null): Promise<ReadVm | undefined> {
    this.calls.push(`one ${ref.uuid}${os === undefined ? ' +os' : ''}`);
    await this.wait();
    return this.vms.has(ref.uuid) ? this.read(ref.uuid, os) : undefined;
  }

  async named(name: string): Promise<ReadVm | undefined> {
    this.calls.push(`named ${name}`);
    await this.wait();
    const uuid = [...this.vms].find(([, v]) => v.name === name)?.[0];
    return uuid === undefined ? undefined : this.read(uuid);
  }

  atMs = 0;
  async counters(active: boolean): Promise<CounterSample> {
    this.calls.push(`counters ${active ? 'active' : 'inactive'}`);
    await this.wait();
    this.atMs += 2000;
    const vms = [...this.vms]
      .filter(([, v]) => (v.state === 'running' || v.state === 'paused') === active)
      .map(([uuid, v]) => ({
        ref: { uuid, name: v.name },
        active,
        cpuTimeNs: active ? (this.cpuNs.get(uuid) ?? 0) : null,
        memoryInUseBytes: active ? this.rss : null,
        disks: [{ name: 'vda', allocationBytes: 7 }],
        diskAllocationBytes: 7,
        diskCapacityBytes: 10,
      }));
    return { vms, atMs: this.atMs, at: 10_000 + this.atMs };
  }
}

function deferred() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const names = (l: { name: string }[]) => l.map((v) => v.name);
const ref = (uuid: string, name: string): VmRef => ({ uuid, name });

test('read in full once; later lists come from memory, in name order', async () => {
  const host = new FakeHost();
  host.add('u2', 'web');
  host.add('u1', 'db', 'running');
  const list = new HostVmList(host);
  const a = await list.list(1_010_000);
  assert.deepEqual(names(a), ['db', 'web']);
  assert.equal(a[0]!.uptimeSeconds, 10, 'uptime from the start time, at answer time');
  assert.equal(a[0]!.statsAt, new Date(5000).toISOString());
  assert.equal(a[1]!.uptimeSeconds, null);
  const b = await list.list(1_020_000);
  assert.equal(b[0]!.uptimeSeconds, 20);
  assert.deepEqual(JSON.parse(await list.listJson(1_020_000)), b, 'the JSON text says the same');
  assert.deepEqual(host.calls, ['all'], 'one full read for both lists');
});

test('an event re-reads only its VM; its OS is kept unless the event is `defined`', async () => {
  const host = new FakeHost();
  host.add('u1', 'db');
  host.add('u2', 'web');
  const list = new HostVmList(host);
  await list.list();
  host.vms.get('u1')!.state = 'running';
  host.vms.get('u1')!.os = 'fedora40';
  list.changed(ref('u1', 'db'), false);
  const after = await list.list();
  assert.equal(after.find((v) => v.name === 'db')!.state, 'running');
  assert.equal(after.find((v) => v.name === 'db')!.os, 'debian12', 'OS kept from the first read');
  list.changed(ref('u1', 'db'), true);
  assert.equal((await list.list()).find((v) => v.name === 'db')!.os, 'fedora40');
  assert.deepEqual(host.calls, ['all', 'one u1', 'one u1 +os']);
});

test('a list never answers older than an event already received: it waits for re-reads in flight', async () => {
  const host = new FakeHost();
  host.add('u1', 'db');
  const list = new HostVmList(host);
  await list.list();
  const gate = deferred();
  host.gate = gate.promise;
  host.vms.get('u1')!.state = 'running';
  list.changed(ref('u1', 'db'), false); // its read starts now and waits at the gate
  await Promise.resolve();
  host.vms.get('u1')!.state = 'paused';
  list.changed(ref('u1', 'db'), false); // an event while that read is out: a second read follows
  let answered: string | undefined;
  const pending = list.list().then((l) => (answered = l[0]!.state));
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, undefined, 'still waiting for the read');
  host.gate = undefined;
  gate.open();
  await pending;
  assert.equal(answered, 'paused', 'the state after the last event, not the one read in between');
  assert.deepEqual(host.calls, ['all', 'one u1', 'one u1']);
});

test('renames, undefine + define with the same name and a new UUID, transient domains', async () => {
  const host = new FakeHost();
  host.add('u1', 'alpha');
  host.add('u2', 'beta');
  const list = new HostVmList(host);
  await list.list();
  // virsh domrename: undefined (renamed) of the old name, defined (renamed) of the new, one UUID.
  host.vms.get('u1')!.name = 'zeta';
  list.changed(ref('u1', 'alpha'), true);
  list.changed(ref('u1', 'zeta'), true);
  let l = await list.list();
  assert.deepEqual(names(l), ['beta', 'zeta'], 'renamed and sorted again');
  assert.equal(l[1]!.uuid, 'u1');
  // beta undefined, then defined again under the same name with a new UUID.
  host.vms.delete('u2');
  list.changed(ref('u2', 'beta'), true);
  host.add('u3', 'beta', 'shutoff', 'win11');
  list.changed(ref('u3', 'beta'), true);
  l = await list.list();
  assert.deepEqual(
    l.map((v) => [v.name, v.uuid, v.os]),
    [
      ['beta', 'u3', 'win11'],
      ['zeta', 'u1', 'debian12'],
    ],
  );
  // A transient domain: started (unknown so far), then stopped (gone with it).
  host.add('u4', 'tmp', 'running', null);
  list.changed(ref('u4', 'tmp'), false);
  assert.deepEqual(names(await list.list()), ['beta', 'tmp', 'zeta']);
  host.vms.delete('u4');
  list.changed(ref('u4', 'tmp'), false);
  assert.deepEqual(names(await list.list()), ['beta', 'zeta']);
});

test('a touched name re-reads the VM of that name and whoever held it', async () => {
  const host = new FakeHost();
  host.add('u1', 'web');
  const list = new HostVmList(host);
  await list.list();
  // Undefined and defined anew (new UUID) before any event of it came.
  host.vms.delete('u1');
  host.add('u9', 'web', 'running');
  list.touched('web');
  const l = await list.list();
  assert.deepEqual(
    l.map((v) => [v.name, v.uuid, v.state]),
    [['web', 'u9', 'running']],
  );
  assert.deepEqual(host.calls.slice(1).sort(), ['named web', 'one u1 +os']);
  // A name nobody holds (a failed create) costs one lookup and changes nothing.
  list.touched('nothing');
  assert.equal((await list.list()).length, 1);
});

test('a reset (the connection dropped or came back) reads everything again; a read in flight is dropped', async () => {
  const host = new FakeHost();
  host.add('u1', 'db');
  const list = new HostVmList(host);
  await list.list();
  assert.equal(list.built, true);
  const gate = deferred();
  host.gate = gate.promise;
  list.changed(ref('u1', 'db'), false);
  list.reset();
  assert.equal(list.built, false);
  host.vms.clear();
  host.add('u2', 'other');
  host.gate = undefined;
  gate.open();
  assert.deepEqual(names(await list.list()), ['other']);
  assert.deepEqual(host.calls, ['all', 'one u1', 'all']);
});

test('a failed read fails the requests waiting for it; the next request reads again', async () => {
  const host = new FakeHost();
  host.add('u1', 'db');
  const list = new HostVmList(host);
  host.fail = new Error('connection closed');
  await assert.rejects(list.list(), /connection closed/);
  host.fail = undefined;
  assert.deepEqual(names(await list.list()), ['db']);
  host.vms.get('u1')!.state = 'running';
  host.fail = new Error('monitor');
  list.changed(ref('u1', 'db'), false);
  await assert.rejects(list.list(), /monitor/);
  host.fail = undefined;
  assert.equal((await list.list())[0]!.state, 'running', 'the re-read was kept for the next request');
});

test('samples: CPU % between two, memory and disks, statsAt; a VM re-read meanwhile keeps its read', async () => {
  const host = new FakeHost();
  host.add('u1', 'db', 'running');
  host.add('u2', 'web');
  const list = new HostVmList(host);
  await list.list();
  await list.sample();
  host.cpuNs.set('u1', 1e9); // 1 s of CPU over the 2 s between samples, 1 vCPU
  host.rss = 200;
  await list.sample();
  let db = (await list.list()).find((v) => v.name === 'db')!;
  assert.equal(db.cpuPercent, 50);
  assert.equal(db.memoryInUseBytes, 200);
  assert.equal(db.diskAllocationBytes, 7);
  assert.equal(db.statsAt, new Date(14_000).toISOString());
  assert.deepEqual(JSON.parse(await list.listJson()), await list.list(), 'its JSON made anew');
  let web = (await list.list()).find((v) => v.name === 'web')!;
  assert.equal(web.diskAllocationBytes, null, 'shut-off VMs are not in the running sample');
  await list.sample(true);
  web = (await list.list()).find((v) => v.name === 'web')!;
  assert.equal(web.diskAllocationBytes, 7);
  assert.equal(web.cpuPercent, null);

  // A sample out while the VM stops and is re-read: the sample does not bring its old counters back.
  const gate = deferred();
  host.gate = gate.promise;
  const sampling = list.sample();
  host.gate = undefined;
  host.vms.get('u1')!.state = 'shutoff';
  list.changed(ref('u1', 'db'), false);
  db = (await list.list()).find((v) => v.name === 'db')!;
  assert.equal(db.state, 'shutoff');
  gate.open();
  await sampling;
  db = (await list.list()).find((v) => v.name === 'db')!;
  assert.equal(db.memoryInUseBytes, null);
  assert.equal(db.cpuPercent, null);
});

test('a sample that sees a VM the list does not have, or in another state, has it read again', async () => {
  const host = new FakeHost();
  host.add('u1', 'db');
  const list = new HostVmList(host);
  await list.list();
  // Changes whose events never came (the sample is a safety net, not the source of states).
  host.vms.get('u1')!.state = 'running';
  host.add('u2', 'extra', 'running');
  await list.sample();
  const l = await list.list();
  assert.deepEqual(
    l.map((v) => [v.name, v.state]),
    [
      ['db', 'running'],
      ['extra', 'running'],
    ],
  );
});

test('the names a request may change: its :name, a created VM; nothing for GET or other routes', () => {
  const req = (method: string, url: string, params: unknown = {}, body: unknown = undefined) => ({
    method,
    url,
    params,
    body,
  });
  assert.deepEqual(namesChangedBy(req('POST', '/api/vms/web/start', { name: 'web' })), ['web']);
  assert.deepEqual(namesChangedBy(req('DELETE', '/api/vms/web?force=true', { name: 'web' })), ['web']);
  assert.deepEqual(namesChangedBy(req('POST', '/api/vms?host=h', {}, { name: 'new', os: 'linux' })), ['new']);
  assert.deepEqual(
    namesChangedBy(req('POST', '/api/vms/web/clone', { name: 'web' }, { name: 'copy' })),
    ['web'],
    'a clone is a job: its new VM is read when the job ends',
  );
  assert.deepEqual(namesChangedBy(req('GET', '/api/vms/web', { name: 'web' })), []);
  assert.deepEqual(namesChangedBy(req('POST', '/api/jobs/1/cancel', { id: '1' })), []);
});

/** A connection whose event subscriptions the test feeds, and a server's worth of hosts and jobs. */
function fakeServer() {
  const subs = new Map<DomainEventKind, EventSubscription<DomainEvent>>();
  const lv = {
    connected: true,
    events: {
      subscribe: async (kind: DomainEventKind) => {
        const sub = new EventSubscription<DomainEvent>(kind, {}, () => subs.delete(kind));
        subs.set(kind, sub);
        return sub;
      },
    },
  } as unknown as Libvirt;
  const hostListeners: ((c: HostChange) => void)[] = [];
  const hosts = {
    onChange: (fn: (c: HostChange) => void) => (hostListeners.push(fn), () => undefined),
    ids: () => ['local'],
    connected: () => [{ id: 'local', uri: 'qemu:///system', lv }],
  } as unknown as Hosts;
  const jobListeners: ((j: JobView) => void)[] = [];
  const jobs = {
    subscribe: (fn: (j: JobView) => void) => (jobListeners.push(fn), () => undefined),
  } as unknown as JobRegistry;
  const host = new FakeHost();
  const feed = new DomainEventFeed();
  return {
    lv,
    host,
    feed,
    hosts,
    jobs,
    event: (e: DomainEvent) => subs.get(e.kind)!.deliver(e),
    hostChange: (connected: boolean) =>
      hostListeners.forEach((fn) => fn({ id: 'local', uri: 'qemu:///system', connected, lv })),
    jobEnded: (vm: string) =>
      jobListeners.forEach((fn) =>
        fn({ id: '1', kind: 'shutdown', host: 'local', vm, state: 'done' } as unknown as JobView),
      ),
  };
}

const lifecycleOf = (uuid: string, name: string, event: 'defined' | 'started'): DomainEvent => ({
  kind: 'lifecycle',
  dom: { name, uuid: uuidFromString(uuid), id: -1 },
  event,
  eventCode: 0,
  detail: 0,
});

test('the server-wide cache: feed events, host changes and job ends reach the host list', async () => {
  const f = fakeServer();
  const u1 = '11111111-1111-1111-1111-111111111111';
  f.host.add(u1, 'db');
  const cache = new VmListCache(
    f.hosts,
    f.feed,
    f.jobs,
    { demandMs: 60_000, intervalMs: 60_000 },
    () => f.host,
  );
  try {
    const vms = async () =>
      JSON.parse(await cache.listJson({ id: 'local', lv: f.lv })) as { state: string }[];
    assert.equal((await vms())[0]!.state, 'shutoff');
    f.host.vms.get(u1)!.state = 'running';
    f.event(lifecycleOf(u1, 'db', 'started'));
    await new Promise((r) => setImmediate(r)); // the feed's loop hands the event on
    assert.equal((await vms())[0]!.state, 'running');
    const reads = () => f.host.calls.filter((c) => !c.startsWith('counters'));
    assert.ok(reads().includes(`one ${u1}`), 'the event re-read its VM (its OS kept)');
    f.event(lifecycleOf(u1, 'db', 'defined'));
    await new Promise((r) => setImmediate(r));
    await vms();
    assert.ok(reads().includes(`one ${u1} +os`), 'a defined event re-reads its OS too');
    const before = reads().length;
    f.event({ kind: 'reboot', dom: { name: 'db', uuid: uuidFromString(u1), id: 1 } });
    await new Promise((r) => setImmediate(r));
    await vms();
    assert.equal(reads().length, before, 'a reboot reads nothing');
    f.jobEnded('db');
    await vms();
    assert.ok(reads().slice(before).includes('named db'), 'a job that ended re-reads its VM');

    // The daemon went away and came back: read in full again, before any request asks.
    f.hostChange(false);
    f.host.add('22222222-2222-2222-2222-222222222222', 'web');
    f.hostChange(true);
    await new Promise((r) => setImmediate(r));
    assert.equal(f.host.calls.filter((c) => c === 'all').length, 2);
    assert.equal((await vms()).length, 2);
    assert.ok(f.host.calls.includes('counters active'), 'sampled while in demand');
  } finally {
    cache.close();
    f.feed.close();
  }
});

test('readAtStart: the list is read when the cache is made, and the first request answers from it', async () => {
  const f = fakeServer();
  f.host.add('11111111-1111-1111-1111-111111111111', 'db');
  const opts = { demandMs: 60_000, intervalMs: 60_000 };
  const idle = new VmListCache(f.hosts, f.feed, f.jobs, opts, () => f.host);
  await new Promise((r) => setImmediate(r));
  assert.equal(f.host.calls.length, 0, 'by default nothing is read before a request');
  idle.close();
  const cache = new VmListCache(f.hosts, f.feed, f.jobs, { ...opts, readAtStart: true }, () => f.host);
  try {
    for (let i = 0; i < 5 && !f.host.calls.includes('all'); i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(f.host.calls, ['all'], 'read in full at once, and not sampled: nobody asked yet');
    const list = JSON.parse(await cache.listJson({ id: 'local', lv: f.lv })) as { name: string }[];
    assert.deepEqual(names(list), ['db']);
    assert.equal(
      f.host.calls.filter((c) => c === 'all').length,
      1,
      'the request used the read made at start',
    );
  } finally {
    cache.close();
    f.feed.close();
  }
});
