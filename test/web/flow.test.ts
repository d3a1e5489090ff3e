/**
 * The whole web UI flow in one page of real Chromium against the real server (in-process) and the
 * real system daemon, step after step as a user walks it: log in by a one-time link; see this host's
 * checklist; create a VM from the linux profile through the wizard (direct kernel boot of the test
 * guest, a 64 MiB disk, 1 vCPU, VNC) and land on its page; start it there and see the guest on the
 * Serial tab (an echo of a typed line, and its report line when the tab saw it); see the VNC canvas
 * draw; kill it with the real `phyllo` command and see the open page follow without a reload; clone it
 * (linked) from the Clone tab and follow to the clone's page; delete the clone, then the source,
 * through the delete dialog, and check with libvirt that no domain and no disk image is left.
 * Screenshots flow-*; no serious axe violation on the host, wizard and VM pages.
 *
 * A step after a failed one is skipped (each needs what the one before made).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { phyllo } from '../support/bin-phyllo.js';
import {
  launchBrowser,
  loggedIn,
  screenshot,
  seriousViolations,
  type TestBrowser,
} from '../support/browser.js';
import { ECHO_MARKER, parseGuestReport, REPORT_MARKER, testGuestPaths } from '../support/test-guest.js';
import { waitForPixels } from '../support/vnc-canvas.js';
import { fillDirectKernelBoot, vmTab, waitConsoleState, wizardToResources } from '../support/web-ui.js';

const name = uniqueName('test-flow');
const cloneName = `${name}-c`;
const guest = testGuestPaths();
/**
 * A hang guard for every wait on the page (the guest boots under TCG on a machine other tests share),
 * not a speed limit: a wait that runs out means the thing never happened.
 */
const HANG_GUARD_MS = 180_000;
/** How long one typed line is given to come back before it is typed again (see the serial step). */
const ECHO_RETRY_MS = 5_000;

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
let host: string;
let context: BrowserContext;
let page: Page;
/** Uncaught errors of the page (a React render error blanks it): none expected. */
const pageErrors: string[] = [];

before(async () => {
  // The wizard's kernel and initramfs must be in a directory the server allows.
  api = await testApi({ allowedDirs: [guest.dir] });
  url = (await api.listen()).url;
  host = ((await api.call('GET', '/api/hosts')).json() as { id: string }[])[0]!.id;
  lv = await connect('qemu:///system');
  b = await launchBrowser();
});

after(async () => {
  await context?.close();
  await b?.close();
  for (const n of [cloneName, name])
    await deleteVm(lv, n, { force: true }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${n}:`, err);
    });
  await lv?.close();
  await api?.close();
});

let failedStep: string | undefined;
/** One step of the flow: skipped when an earlier one failed. */
function step(title: string, fn: (t: TestContext) => Promise<void>): void {
  test(title, async (t) => {
    if (failedStep) {
      t.skip(`"${failedStep}" failed`);
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      failedStep = title;
      throw err;
    }
  });
}

async function noSerious(where: string): Promise<void> {
  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  assert.deepEqual(await seriousViolations(page), [], where);
}

const header = (vm: string, state: string) => page.locator(`[data-vm="${vm}"][data-state="${state}"]`);
const powerButton = (label: string) =>
  page.getByRole('group', { name: 'Power' }).getByRole('button', { name: label, exact: true });

interface VmReport {
  disks: { source?: string; backingChain: { path: string }[] | null }[];
  nvram: { path: string } | null;
  tpm: { path: string } | null;
}

/** Every file of a VM the server reports: its disks with what they stand on, NVRAM, TPM state. */
async function filesOf(vm: string): Promise<string[]> {
  const res = await api.call('GET', `/api/vms/${vm}?host=${host}`);
  assert.equal(res.statusCode, 200, res.body);
  const r = res.json() as VmReport;
  const files = r.disks.flatMap((d) => [
    ...(d.source ? [d.source] : []),
    ...(d.backingChain ?? []).map((c) => c.path),
  ]);
  if (r.nvram) files.push(r.nvram.path);
  if (r.tpm) files.push(r.tpm.path);
  return [...new Set(files)];
}

/** Deletes the VM whose page is open through its Delete tab's dialog. */
async function deleteThroughDialog(vm: string): Promise<void> {
  await vmTab(page, 'Delete').click();
  await page.getByRole('button', { name: `Delete ${vm}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${vm}?` });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Removed[\s\S]*Disk vda/);
  await screenshot(page, `flow-delete-${vm === name ? 'source' : 'clone'}`);
  await dialog.getByRole('button', { name: `Delete ${vm}`, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `${vm} is deleted` }).waitFor();
}

const files = new Map<string, string[]>();

step('1. log in with a one-time link', async () => {
  ({ context, page } = await loggedIn(b.browser, url, api.sessions.issueCode()));
  // A hang guard, not a speed limit (see HANG_GUARD_MS).
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  assert.ok(await page.getByRole('navigation', { name: 'Main' }).isVisible(), 'the app, not the login form');
  assert.equal(new URL(page.url()).searchParams.get('code'), null, 'the code is not left in the address');
  assert.ok((await context.cookies()).length > 0, 'a session cookie');
});

step('2. the Host page shows this machine’s checklist with the KVM check', async () => {
  const report = (await api.call('GET', '/api/host/check')).json() as {
    checks: { id: string; summary: string }[];
  };
  const kvm = report.checks.find((c) => c.id === 'kvm.works');
  assert.ok(kvm, 'the server checks KVM');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  const item = page.locator('[data-check="kvm.works"]');
  await item.waitFor();
  const text = await item.innerText();
  assert.ok(text.includes(kvm.summary), `${text}\n---\n${kvm.summary}`);
  assert.ok((await page.locator('[data-check]').count()) > 5, 'a checklist, not one line');
  await page.locator('.mem-bar').waitFor();
  await noSerious('host page');
  await screenshot(page, 'flow-host');
});

step(
  '3. the wizard creates a linux VM that boots the test guest’s kernel, and lands on its page',
  async () => {
    await wizardToResources(page);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Memory').fill('1G');
    await page.getByLabel('Virtual CPUs').fill('1');
    await page.getByLabel('Disk size').fill('64M');
    await fillDirectKernelBoot(page, guest);
    await page.getByLabel('Display').selectOption('vnc');
    // The model's reasons follow the fields (debounced).
    await page.locator('li[data-topic="memory"]', { hasText: '1024 MiB as asked' }).waitFor();
    await page.locator('li[data-topic="display"]', { hasText: 'vnc on a UNIX socket' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'no field is refused');
    await noSerious('wizard, resources');
    await screenshot(page, 'flow-create');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 2, name: 'Review and create' }).waitFor();
    const review = await page.locator('dl.review').innerText();
    assert.ok(review.includes(name) && review.includes(guest.kernel), review);
    // Started from its page in the next step.
    await page.getByLabel('Start the VM once it is created').uncheck();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(new RegExp(`/vms/[^/]+/${name}$`));
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await header(name, 'shutoff').waitFor();
    assert.match(await page.locator('table.decisions').innerText(), /direct kernel boot of .*vmlinuz/);
    await noSerious('VM page');
    await screenshot(page, 'flow-vm');
  },
);

step('4. started from its page, the guest answers on the Serial tab', async (t) => {
  // The serial tab is open before Start: it attaches as soon as the VM runs.
  await vmTab(page, 'Serial').click();
  await page.getByRole('tabpanel').getByText(`works while ${name} runs`).waitFor();
  await powerButton('Start').click();
  await header(name, 'running').waitFor();
  const serial = page.getByRole('region', { name: `Serial console of ${name}` });
  await waitConsoleState(serial, 'connected');
  const rows = serial.locator('.xterm-rows');
  // The guest echoes each line typed once its init runs (keys typed while the kernel boots are lost),
  // so a line is typed again until its echo comes back: no race with the boot.
  await serial.locator('.xterm').click();
  let echoed = false;
  for (let n = 1; !echoed; n++) {
    assert.ok(n * ECHO_RETRY_MS <= HANG_GUARD_MS, 'the guest echoed no typed line (hang guard)');
    await page.keyboard.type(`flow-${n}`);
    await page.keyboard.press('Enter');
    echoed = await rows
      .filter({ hasText: `${ECHO_MARKER} flow-` })
      .waitFor({ timeout: ECHO_RETRY_MS })
      .then(
        () => true,
        () => false,
      );
  }
  // The report line comes once, before the echo loop, and the console stream has no history: it is
  // there when the tab attached before the guest wrote it (as it normally does, opened before Start).
  const text = (await rows.innerText()).replace(/\n/g, '');
  const at = text.indexOf(`${REPORT_MARKER} `);
  if (at >= 0) {
    const report = parseGuestReport(text.slice(at));
    assert.equal(report.cpus, 1, 'the 1 vCPU asked in the wizard');
    assert.ok(report.blk.includes('vda'), `the wizard's disk: ${report.blk.join(',')}`);
    assert.ok(report.memKiB > 900 * 1024, `about 1 GiB of memory: ${report.memKiB} KiB`);
  } else {
    t.diagnostic('the serial tab attached after the guest wrote its report line; the echo proved the path');
  }
  await noSerious('serial tab');
  await screenshot(page, 'flow-serial');
});

step('5. the Console tab draws the guest’s VNC screen', async () => {
  await vmTab(page, 'Console').click();
  const region = page.getByRole('region', { name: `Console of ${name}` });
  await waitConsoleState(region, 'connected');
  const px = await waitForPixels(page, region);
  assert.ok(px.lit > 0, `the canvas (${px.width}×${px.height}) has non-black pixels`);
  await screenshot(page, 'flow-console');
});

step('6. killed with the phyllo command, the open page shows it shut off without a reload', async () => {
  // A mark in the page's window: a reload would lose it.
  await page.evaluate('window.flowMark = "before the kill"');
  const r = await phyllo('vm', 'kill', name, '--connect', 'qemu:///system');
  assert.equal(r.code, 0, r.stderr);
  await header(name, 'shutoff').waitFor();
  await powerButton('Start').waitFor();
  // The console's own words, or the VM page's notice once it no longer shows the console.
  await page
    .getByRole('tabpanel')
    .getByText(new RegExp(`${name} is not running|works while ${name} runs`))
    .waitFor();
  assert.equal(await page.evaluate('window.flowMark'), 'before the kill', 'the page was not reloaded');
  await screenshot(page, 'flow-killed');
});

step('7. a linked clone from the Clone tab, followed to the clone’s page', async () => {
  await vmTab(page, 'Clone').click();
  await page.getByLabel('Name of the clone').fill(cloneName);
  assert.equal(await page.getByRole('radio', { name: /^Linked/ }).isChecked(), true, 'linked by default');
  await page.getByRole('button', { name: 'Clone', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Cloning to ${cloneName}: done` })
    .waitFor();
  await page.getByRole('link', { name: `Open ${cloneName}` }).click();
  await page.getByRole('heading', { level: 1, name: cloneName }).waitFor();
  await header(cloneName, 'shutoff').waitFor();
  await vmTab(page, 'Disks').click();
  await page.getByText('read-only base').first().waitFor();
  await noSerious('clone page');
  await screenshot(page, 'flow-clone');
});

step('8. the clone, then the source, deleted through the dialog: no domain, no disk left', async (t) => {
  for (const vm of [cloneName, name]) files.set(vm, await filesOf(vm));
  assert.ok(files.get(cloneName)!.length >= 2, `the clone's overlay and its base: ${files.get(cloneName)}`);
  for (const f of files.values()) for (const p of f) assert.ok(existsSync(p), `${p} exists before`);

  await deleteThroughDialog(cloneName);
  await page.getByRole('link', { name: 'Back to the VMs' }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await deleteThroughDialog(name);
  await screenshot(page, 'flow-deleted');

  for (const vm of [cloneName, name]) {
    t.diagnostic(`${vm}'s files, gone: ${files.get(vm)!.join(', ')}`);
    await assert.rejects(lv.domains.lookup(vm), isNotFound, `libvirt has no domain ${vm}`);
    for (const p of files.get(vm)!) {
      await assert.rejects(lv.volumes.lookupByPath(p), isNotFound, `libvirt has no volume ${p}`);
      assert.equal(existsSync(p), false, `${p} is gone`);
    }
  }
});
