/** The power services on the real system daemon with the test guest: states, refusals, the shutdown job. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { powerVm, setVmAutostart, startVm } from '../../src/machines/vm-power.js';
import { shutdownVm } from '../../src/machines/shutdown-vm.js';
import { withVmLock } from '../../src/machines/vm-lock.js';
import type { JobProgress } from '../../src/jobs/job.js';
import { testGuestDomainXml, waitForReport } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { waitFor } from '../support/wait.js';

let lv: Libvirt;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-power-'));
const names: string[] = [];

before(async () => {
  lv = await connect('qemu:///system');
});
after(async () => {
  for (const name of names) {
    const d = await lv.domains.lookup(name).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function define(prefix: string, xml: (name: string) => string) {
  const name = uniqueName(prefix);
  names.push(name);
  return lv.domains.define(xml(name));
}

test('start, pause, resume, shutdown: each in the state it accepts; a wrong state is vm-wrong-state with a hint', async () => {
  const serialFile = join(dir, 'power.log');
  const dom = await define('power', (name) => testGuestDomainXml({ name, serialFile }));
  const name = dom.name;
  await assert.rejects(powerVm(lv, name, 'pause'), { code: 'vm-wrong-state', hint: /phyllo vm start/ });
  await assert.rejects(shutdownVm(lv, name).result, { code: 'vm-wrong-state', hint: /phyllo vm start/ });
  assert.deepEqual(await startVm(lv, name), { name, operation: 'start', state: 'running' });
  await assert.rejects(startVm(lv, name), { code: 'vm-wrong-state', message: /already started/ });
  await waitForReport(serialFile); // acpid listens from here on
  assert.equal((await powerVm(lv, name, 'pause')).state, 'paused');
  assert.equal((await dom.state()).state, 'paused');
  await assert.rejects(powerVm(lv, name, 'pause'), { code: 'vm-wrong-state', message: /already paused/ });
  await assert.rejects(startVm(lv, name), { code: 'vm-wrong-state', hint: /phyllo vm resume/ });
  await assert.rejects(shutdownVm(lv, name).result, { code: 'vm-wrong-state', hint: /resume/ });
  assert.equal((await powerVm(lv, name, 'resume')).state, 'running');
  assert.equal((await dom.state()).state, 'running');

  // Another command holds the VM: the typed busy error, nothing done.
  await withVmLock(lv, dom, 'test', async () => {
    await assert.rejects(powerVm(lv, name, 'pause'), { code: 'operation-in-progress' });
  });
  assert.equal((await dom.state()).state, 'running');

  const job = shutdownVm(lv, name, { timeoutS: 120 });
  const phases: JobProgress[] = [];
  job.on('progress', (p) => phases.push(p));
  const done = await job.result;
  assert.equal(done.state, 'shutoff');
  assert.equal(done.forced, false);
  assert.equal((await dom.state()).state, 'shutoff');
  assert.equal(job.state, 'done');
  assert.equal(phases[0]?.phase, 'pressing the ACPI power button');
  assert.equal(phases[0]?.unit, 'seconds');
  await assert.rejects(powerVm(lv, name, 'kill'), {
    code: 'vm-wrong-state',
    message: /nothing to power off/,
  });
});

/** No kernel and no disk: SeaBIOS finds nothing to boot, and nothing answers the ACPI power button. */
const noOs = (name: string) =>
  testGuestDomainXml({ name }).replace(/<kernel>.*<\/cmdline>/s, '<boot dev="hd"/>');

test('a guest that ignores ACPI: shutdown times out (still running, typed error); --force powers it off after the timeout', async () => {
  const dom = await define('noacpi', noOs);
  await startVm(lv, dom.name);
  await assert.rejects(shutdownVm(lv, dom.name, { timeoutS: 2 }).result, { code: 'shutdown-timeout' });
  assert.equal((await dom.state()).state, 'running');
  const forced = await shutdownVm(lv, dom.name, { timeoutS: 2, force: true }).result;
  assert.equal(forced.forced, true);
  assert.ok(forced.ms >= 2000, `powered off only after the timeout (${forced.ms} ms)`);
  assert.equal((await dom.state()).state, 'shutoff');
});

test('cancelling the shutdown job stops the wait (a typed cancelled error), not the VM', async () => {
  const dom = await define('cancel', noOs);
  await startVm(lv, dom.name);
  const job = shutdownVm(lv, dom.name, { timeoutS: 60, force: true });
  job.once('progress', () => job.cancel());
  await assert.rejects(job.result, { code: 'cancelled' });
  assert.equal((await dom.state()).state, 'running');
  assert.equal((await powerVm(lv, dom.name, 'kill')).state, 'shutoff');
  assert.equal((await dom.state()).state, 'shutoff');
});

test('reboot a running VM (the guest boots again); autostart on and off; an unknown VM is vm-not-found', async () => {
  const serialFile = join(dir, 'reboot.log');
  const dom = await define('reboot', (name) => testGuestDomainXml({ name, serialFile }));
  await assert.rejects(powerVm(lv, dom.name, 'reboot'), { code: 'vm-wrong-state', hint: /phyllo vm start/ });
  assert.equal((await setVmAutostart(lv, dom.name, true)).autostart, true);
  assert.equal(await dom.autostart(), true);
  assert.equal((await setVmAutostart(lv, dom.name, false)).autostart, false);
  assert.equal(await dom.autostart(), false);
  await startVm(lv, dom.name);
  await waitForReport(serialFile);
  assert.equal((await powerVm(lv, dom.name, 'reboot')).state, 'running');
  const reports = () => (readFileSync(serialFile, 'utf8').match(/PHYLLO-GUEST /g) ?? []).length;
  await waitFor('a second report line after the reboot', () => (reports() >= 2 ? true : undefined), {
    context: () => readFileSync(serialFile, 'utf8').slice(-300),
  });
  assert.equal((await dom.state()).state, 'running');
  await powerVm(lv, dom.name, 'kill');
  await assert.rejects(startVm(lv, uniqueName('none')), { code: 'vm-not-found' });
});
