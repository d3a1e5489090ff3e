/**
 * The tiny test guest on the real system daemon, driven by Phyllome's own libvirt client:
 * define → start (paused, so the console misses nothing) → the guest's report line read from the
 * console stream → a line typed into the console comes back → ACPI shutdown → undefine,
 * with every lifecycle event seen in order.
 */
import assert from 'node:assert/strict';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { connect, CreateFlags, UndefineFlags, type LifecycleEventName } from '../../src/libvirt/index.js';
import { findGuestReport, testGuestDomainXml, VIRTIO_DEVICE_ID } from '../support/test-guest.js';
import { waitFor } from '../support/wait.js';
import { uniqueName } from '../libvirt/helpers.js';

test('the test guest boots under TCG, reports on its console stream, echoes input and powers off on ACPI shutdown', async () => {
  const lv = await connect('qemu:///system');
  const name = uniqueName('guest');
  const disk = `/var/lib/libvirt/images/${name}.img`;
  await writeFile(disk, '');
  await truncate(disk, 16 * 1024 * 1024);
  const events: LifecycleEventName[] = [];
  const sub = await lv.events.lifecycle({ domain: name });
  sub.on((e) => events.push(e.event));
  const xml = testGuestDomainXml({
    name,
    vcpus: 2,
    memoryMiB: 256,
    tpm: true,
    userNetwork: true,
    extraDevices: `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>`,
  });
  const dom = await lv.domains.define(xml);
  let text = '';
  try {
    await dom.start(CreateFlags.PAUSED);
    assert.equal((await dom.state()).state, 'paused');
    const console = await dom.openConsole();
    console.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    await dom.resume();

    const report = await waitFor(
      'the guest report on the console stream',
      () => findGuestReport(text) ?? undefined,
      {
        context: () => text.slice(-300),
      },
    );
    for (const id of ['net', 'block', 'rng', 'balloon', 'input'] as const)
      assert.ok(
        report.virtio.includes(VIRTIO_DEVICE_ID[id]),
        `virtio ${id} missing from ${report.virtio.join(',')}`,
      );
    assert.deepEqual(report.blk, ['vda']);
    assert.equal(report.tpm, 'tpm0');
    assert.equal(report.cpus, 2);
    assert.ok(report.memKiB > 128 * 1024 && report.memKiB <= 256 * 1024, `memory ${report.memKiB} KiB`);
    assert.deepEqual(report.net, ['eth0']);

    console.write('hello phyllome\r');
    await waitFor(
      'the echo of a typed line',
      () => (text.includes('PHYLLO-ECHO hello phyllome') ? true : undefined),
      {
        context: () => text.slice(-300),
      },
    );

    await dom.shutdown();
    await waitFor(
      'the guest powering off after the ACPI button',
      () => (events.includes('stopped') ? true : undefined),
      {
        context: () => events.join(','),
      },
    );
    assert.equal((await dom.state()).state, 'shutoff');
    await dom.undefine(UndefineFlags.TPM);
    await waitFor('the undefined event', () => (events.includes('undefined') ? true : undefined));
    assert.deepEqual(events, [
      'defined',
      'started',
      'suspended',
      'resumed',
      'shutdown',
      'stopped',
      'undefined',
    ]);
  } finally {
    sub.close();
    await dom.destroy().catch(() => undefined);
    await dom.undefine(UndefineFlags.TPM).catch(() => undefined);
    await rm(disk, { force: true });
    await lv.close();
  }
});
