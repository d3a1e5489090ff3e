/**
 * Peer-to-peer live migration between two real libvirt daemons: this machine's system daemon and a
 * second one in its own network and mount namespaces (test/support/second-host.ts), reached with the
 * TCP dialer. The test guest keeps running across the move: it echoes a line typed on its console
 * on the destination.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect,
  isNotFound,
  MigrateFlags,
  type Domain,
  type EventSubscription,
  type Libvirt,
  type LifecycleEvent,
} from '../../src/libvirt/index.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testGuestDomainXml, REPORT_MARKER, ECHO_MARKER } from '../support/test-guest.js';
import { waitFor } from '../support/wait.js';
import { openSystem, uniqueName } from './helpers.js';

// virDomainEventType and the MIGRATED details of virDomainEvent{Started,Stopped,Resumed}DetailType.
const STARTED_MIGRATED = 1;
const STOPPED_MIGRATED = 3;
const RESUMED_MIGRATED = 1;

const skip = secondHostSkip({ guest: true });

let hostB: SecondHost;
let a: Libvirt;
let b: Libvirt;
const name = uniqueName('migrate');

before(async () => {
  if (skip) return;
  hostB = await startSecondHost();
  a = await openSystem();
  b = await connect(hostB.uri);
});

after(async () => {
  if (skip) return;
  const left = await a.domains.lookup(name).catch(() => undefined);
  await left?.destroy().catch(() => undefined);
  await a.close();
  await b.close();
  await hostB.stop();
});

/** Collects a domain's lifecycle events from a subscription until `stop` is called. */
function collect(sub: EventSubscription<LifecycleEvent>): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  sub.on((e) => seen.push(e));
  return seen;
}

async function consoleText(
  dom: Domain,
): Promise<{ text: () => string; write: (s: string) => void; close: () => void }> {
  let text = '';
  const stream = await dom.openConsole();
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  stream.on('error', () => undefined);
  return { text: () => text, write: (s) => stream.write(s), close: () => stream.destroy() };
}

test(
  'a running guest moves live to another host (peer-to-peer) and keeps running there',
  { skip },
  async () => {
    assert.match(await b.capabilities(), new RegExp(`<uuid>${hostB.hostUuid}</uuid>`));

    const eventsA = collect(await a.events.lifecycle({ domain: name }));
    const eventsB = collect(await b.events.lifecycle({ domain: name }));

    const dom = await a.domains.create(testGuestDomainXml({ name }));
    const uuid = dom.uuid;
    const onSource = await consoleText(dom);
    await waitFor(
      'the guest report on the source',
      () => (onSource.text().includes(REPORT_MARKER) ? true : undefined),
      {
        context: () => onSource.text().slice(-500),
      },
    );
    onSource.close();

    await dom.migrateToUri(
      hostB.uri,
      [{ field: 'migrate_uri', type: 'string', value: `tcp://${hostB.address}` }],
      MigrateFlags.LIVE | MigrateFlags.PEER2PEER,
    );

    // Gone from the source (it was transient), running on the destination under the same UUID.
    await assert.rejects(a.domains.lookup(name), (err) => isNotFound(err));
    const moved = await b.domains.lookup(name);
    assert.equal(moved.uuid, uuid);
    assert.equal((await moved.state()).state, 'running');

    // The guest itself survived: it echoes a line typed on the destination's console.
    const afterMove = await consoleText(moved);
    afterMove.write('still here after the move\r');
    await waitFor(
      'the echo from the migrated guest',
      () => (afterMove.text().includes(`${ECHO_MARKER} still here after the move`) ? true : undefined),
      { context: () => afterMove.text().slice(-500) },
    );
    afterMove.close();

    await waitFor('the source stopped with detail "migrated"', () =>
      eventsA.some((e) => e.event === 'stopped' && e.detail === STOPPED_MIGRATED) ? true : undefined,
    );
    await waitFor('the destination started and resumed with detail "migrated"', () =>
      eventsB.some((e) => e.event === 'started' && e.detail === STARTED_MIGRATED) &&
      eventsB.some((e) => e.event === 'resumed' && e.detail === RESUMED_MIGRATED)
        ? true
        : undefined,
    );
    const order = eventsB.map((e) => e.event);
    assert.ok(order.indexOf('started') < order.lastIndexOf('resumed'), order.join(', '));

    await moved.destroy();
  },
);
