/**
 * One real TCG domain (defining domains is slow on this host, so every check shares it):
 * lifecycle with events, config device attach/detach, serial console, screenshot, stats.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Domain,
  type EventSubscription,
  type Libvirt,
  type LifecycleEvent,
  ConsoleFlags,
  CreateFlags,
  ModifyFlags,
  StatsTypes,
} from '../../src/libvirt/index.js';
import { isRoot, openSystem, removeDomain, tcgDomainXml, uniqueName, virsh } from './helpers.js';
import { waitFor } from '../support/wait.js';

const skip = isRoot ? false : 'needs root and the system libvirt daemon';
const name = uniqueName('dom');
let lv: Libvirt;
let d: Domain;
let events: EventSubscription<LifecycleEvent>;
const seen: LifecycleEvent[] = [];

/** Wait for the next lifecycle event of our domain. */
async function nextEvent(): Promise<LifecycleEvent> {
  const e = await events.next();
  assert.ok(e, 'event stream ended early');
  seen.push(e);
  return e;
}

before(async () => {
  if (skip) return;
  lv = await openSystem();
  events = await lv.events.lifecycle({ domain: name });
});

after(async () => {
  if (skip) return;
  events.close();
  await removeDomain(lv, name);
  await lv.close();
});

test('define: the DEFINED event arrives and the domain is shut off', { skip }, async () => {
  d = await lv.domains.define(tcgDomainXml(name, { serialBios: true }));
  assert.equal((await nextEvent()).event, 'defined');
  assert.equal((await d.state()).state, 'shutoff');
  assert.equal(d.id, -1);
});

test('config device attach/detach shows in the XML', { skip }, async () => {
  const dev = `<watchdog model='i6300esb' action='reset'/>`;
  await d.attachDevice(dev, ModifyFlags.CONFIG);
  assert.match(await d.xml(), /<watchdog model='i6300esb' action='reset'/);
  await d.detachDevice(dev, ModifyFlags.CONFIG);
  assert.doesNotMatch(await d.xml(), /<watchdog/);
});

test('start paused, then the serial console streams the SeaBIOS banner once resumed', { skip }, async () => {
  await d.start(CreateFlags.PAUSED);
  assert.ok(d.id > 0, 'start returns the new id');
  assert.equal((await d.state()).state, 'paused');
  assert.equal((await lv.domains.lookupById(d.id)).name, name);
  const con = await d.openConsole(null, ConsoleFlags.FORCE);
  const received: Buffer[] = [];
  const banner = new Promise<string>((resolve, reject) => {
    con.on('error', reject);
    con.on('data', (c: Buffer) => {
      received.push(c);
      const text = Buffer.concat(received).toString('latin1');
      if (/SeaBIOS|Booting|bootable/i.test(text)) resolve(text);
    });
  });
  await d.resume();
  con.write('\r'); // the write direction is accepted (SeaBIOS ignores it)
  assert.match(await banner, /SeaBIOS|Booting|bootable/i);
  con.destroy();
  assert.equal((await nextEvent()).event, 'started');
  assert.equal((await nextEvent()).event, 'suspended');
  assert.equal((await nextEvent()).event, 'resumed');
});

test('running: state, info and stats agree with virsh', { skip }, async () => {
  assert.equal((await d.state()).state, 'running');
  assert.equal((await virsh('domstate', name)).trim(), 'running');
  const info = await d.info();
  assert.equal(info.state, 'running');
  assert.equal(info.maxMemKiB, 65536n);
  assert.equal(info.vcpus, 1);
  const stats = await lv.allDomainStats(StatsTypes.STATE | StatsTypes.CPU_TOTAL, 0, [d]);
  assert.equal(stats.length, 1);
  assert.equal(stats[0]?.values['state.state'], 1);
  assert.equal(typeof stats[0]?.values['cpu.time'], 'bigint');
  assert.equal((await d.xml()).trim(), (await virsh('dumpxml', name)).trim());
});

test('screenshot streams a complete image (PNG on QEMU ≥ 7.1, else PPM)', { skip }, async () => {
  await sleep(300);
  const { mime, stream } = await d.screenshot();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const img = Buffer.concat(chunks);
  if (mime === 'image/png') {
    assert.deepEqual(
      img.subarray(0, 8),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      'PNG signature',
    );
    assert.equal(img.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.ok(img.readUInt32BE(16) > 0 && img.readUInt32BE(20) > 0, 'non-empty dimensions');
    assert.equal(img.subarray(-8, -4).toString('latin1'), 'IEND', 'the stream delivered the whole file');
  } else {
    assert.equal(mime, 'image/x-portable-pixmap');
    const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(img.subarray(0, 64).toString('latin1'));
    assert.ok(header, 'PPM header');
    assert.equal(
      img.length,
      header[0].length + Number(header[1]) * Number(header[2]) * 3,
      'every pixel byte arrived',
    );
  }
});

test(
  'reboot and shutdown requests are accepted; SeaBIOS ignores ACPI, so the domain runs on through a full firmware cycle with no lifecycle event',
  { skip },
  async () => {
    // (A guest that obeys the power button powers off on shutdown: test/guest/boot.test.ts.)
    const con = await d.openConsole(null, ConsoleFlags.FORCE);
    let text = '';
    con.on('data', (c: Buffer) => (text += c.toString('latin1')));
    con.on('error', () => undefined);
    await d.reboot();
    await d.shutdown();
    const from = text.length;
    // With no boot device SeaBIOS retries every second (rebootTimeout), printing its banner at each
    // start. A second banner after the requests means a whole reset cycle ran after QEMU had them:
    // a reset clears ACPI's pending power button, so nothing can come of them any more.
    const outcome = await waitFor(
      'two SeaBIOS restarts after the requests, or the domain leaving the running state',
      async () => {
        if ((text.slice(from).match(/SeaBIOS \(version/g) ?? []).length >= 2) return 'restarted twice';
        const { state } = await d.state();
        return state === 'running' ? undefined : `state ${state}`;
      },
      { everyMs: 200, context: () => text.slice(-300) },
    );
    con.destroy();
    assert.equal(outcome, 'restarted twice');
    assert.equal((await d.state()).state, 'running');
    // The next lifecycle event is the one this suspend causes: no shutdown or stop came before it.
    await d.suspend();
    assert.equal((await nextEvent()).event, 'suspended');
    await d.resume();
    assert.equal((await nextEvent()).event, 'resumed');
  },
);

test('suspend/resume, destroy and undefine, with events in order', { skip }, async () => {
  await d.suspend();
  assert.equal((await d.state()).state, 'paused');
  await d.resume();
  await d.destroy();
  assert.equal((await d.state()).state, 'shutoff');
  await d.undefine();
  for (;;) if ((await nextEvent()).event === 'undefined') break;
  // QEMU reports the guest's shutdown before the stop when it is destroyed; libvirt relays it.
  assert.deepEqual(
    seen.map((e) => e.event).filter((e) => e !== 'shutdown'),
    [
      'defined',
      'started',
      'suspended',
      'resumed',
      'suspended',
      'resumed',
      'suspended',
      'resumed',
      'stopped',
      'undefined',
    ],
  );
  assert.ok(seen.every((e) => e.dom.name === name && e.dom.uuid.equals(d.ref.uuid)));
  await assert.rejects(lv.domains.lookup(name), /Domain not found/);
});
