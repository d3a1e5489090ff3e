/**
 * The VM page in real Chromium against the real server (in-process, the real system daemon), with VMs
 * of the test guest made through the API: the overview with the model's reasons, a snapshot created and
 * deleted (shut off), memory and autostart changed in the settings, a linked clone followed as a job to the clone's
 * page, the clone deleted through the dialog that names what goes and what stays, a start seen live in
 * the header, and a VM whose kernel is gone showing the diagnosis of its failed start. Screenshots
 * vm-overview, vm-snapshots, vm-delete-dialog (and vm-settings at desktop size) at desktop and phone size; no serious axe violation.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import {
  DESKTOP,
  launchBrowser,
  loggedIn,
  PHONE,
  screenshot,
  seriousViolations,
  type TestBrowser,
} from '../support/browser.js';
import { testGuestPaths } from '../support/test-guest.js';
import { vmTab } from '../support/web-ui.js';

const name = uniqueName('test-vmpage');
const cloneName = `${name}-c`;
const broken = uniqueName('test-vmpage-nokernel');
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-vmpage-')));
const guest = testGuestPaths();
/** A hang guard for waits on the page (the guest runs under TCG on a busy machine), not a speed limit. */
const HANG_GUARD_MS = 180_000;

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
let host: string;
/** Uncaught errors of the pages (a React render error blanks the page): none expected. */
const pageErrors: string[] = [];

const vmBody = (n: string, kernel: string) => ({
  name: n,
  os: 'linux',
  memory: '1G',
  vcpus: 1,
  display: 'vnc',
  diskSize: '64M',
  kernel,
  initrd: guest.initrd,
  cmdline: 'console=ttyS0 quiet',
});

async function call(method: 'GET' | 'POST' | 'DELETE', path: string, status: number, body?: unknown) {
  const res = await api.call(method, path, body);
  assert.equal(res.statusCode, status, `${method} ${path}: ${res.body.slice(0, 1000)}`);
  return res.json() as Record<string, unknown>;
}

before(async () => {
  chmodSync(dir, 0o755);
  api = await testApi({ allowedDirs: [guest.dir, dir] });
  url = (await api.listen()).url;
  lv = await connect('qemu:///system');
  host = ((await call('GET', '/api/hosts', 200)) as unknown as { id: string }[])[0]!.id;
  await call('POST', '/api/vms', 201, vmBody(name, guest.kernel));
  // A VM whose kernel is removed after it is defined: its start fails, and diagnose says why.
  const kernel = join(dir, 'vmlinuz');
  copyFileSync(guest.kernel, kernel);
  chmodSync(kernel, 0o644);
  await call('POST', '/api/vms', 201, { ...vmBody(broken, kernel), diskSize: 'none' });
  rmSync(kernel);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  for (const n of [cloneName, name, broken])
    await deleteVm(lv, n, { force: true }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${n}:`, err);
    });
  await lv?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(viewport: typeof DESKTOP, vm: string, hash = '') {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), viewport);
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('pageerror', (err) => pageErrors.push(`${vm}: ${err.message}`));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${url}/vms/${host}/${vm}${hash}`);
  await page.getByRole('heading', { level: 1, name: vm }).waitFor();
  return { context, page, requests };
}

async function noSerious(page: Page, where: string) {
  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  assert.deepEqual(await seriousViolations(page), [], where);
}

test('the overview shows the state and the model’s choices with reasons, at desktop and phone size', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await open(viewport, name);
    await page.locator(`[data-vm="${name}"][data-state="shutoff"]`).waitFor();
    await page.getByRole('heading', { name: 'The model’s choices' }).waitFor();
    const decisions = page.locator('table.decisions tbody tr');
    assert.ok((await decisions.count()) > 10, 'a row per decision');
    assert.match(await page.locator('table.decisions').innerText(), /direct kernel boot of .*vmlinuz/);
    assert.ok(await page.getByRole('button', { name: 'Start' }).isVisible(), 'a shut-off VM offers Start');
    assert.equal(await page.getByRole('button', { name: 'Shut down' }).count(), 0);
    await noSerious(page, `overview ${viewport.width}`);
    await screenshot(page, 'vm-overview');
    // The tab list is keyboard-usable: an arrow moves to (and shows) the next tab.
    await vmTab(page, 'Overview').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await vmTab(page, 'Console').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('heading', { name: 'The model’s choices' }).waitFor();
    await context.close();
  }
});

test('a snapshot is created and deleted from the Snapshots tab', async () => {
  const { context, page } = await open(DESKTOP, name, '#snapshots');
  await page.getByText('No snapshots yet.').waitFor();
  // The form checks a name before sending it.
  await page.getByRole('button', { name: 'Create snapshot' }).click();
  await page.getByRole('alert').filter({ hasText: 'Give the snapshot a name' }).waitFor();
  await page.getByLabel('New snapshot').fill('before-update');
  await page.getByRole('button', { name: 'Create snapshot' }).click();
  await page.locator('[data-snapshot="before-update"]').waitFor();
  await page.getByRole('status').filter({ hasText: 'Snapshot "before-update" created' }).waitFor();
  await noSerious(page, 'snapshots');
  await screenshot(page, 'vm-snapshots');
  const phone = await open(PHONE, name, '#snapshots');
  await phone.page.locator('[data-snapshot="before-update"]').waitFor();
  await noSerious(phone.page, 'snapshots phone');
  await screenshot(phone.page, 'vm-snapshots');
  await phone.context.close();

  await page.getByRole('button', { name: 'Delete before-update' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete snapshot "before-update"?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Delete snapshot' }).click();
  await page.getByRole('status').filter({ hasText: 'Snapshot "before-update" deleted' }).waitFor();
  await page.locator('[data-snapshot="before-update"]').waitFor({ state: 'detached' });
  const left = (await call('GET', `/api/vms/${name}/snapshots?host=${host}`, 200)) as {
    snapshots: unknown[];
  };
  assert.deepEqual(left.snapshots, []);
  await context.close();
});

test('memory is changed in the settings (a bad size is refused before sending)', async () => {
  const { context, page } = await open(DESKTOP, name, '#settings');
  const memory = page.getByLabel('Memory');
  assert.equal(await memory.inputValue(), '1G');
  await memory.fill('lots');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').filter({ hasText: 'Memory must be a size' }).waitFor();
  await memory.fill('1536M');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'memory → 1536 MiB' }).waitFor();
  const info = (await call('GET', `/api/vms/${name}?host=${host}`, 200)) as {
    summary: { memoryBytes: number };
  };
  assert.equal(info.summary.memoryBytes, 1536 * 2 ** 20);

  // Autostart: the checkbox shows libvirt's flag; ticking it changes it at once.
  const autostartNow = async () =>
    ((await call('GET', `/api/vms/${name}?host=${host}`, 200)) as { autostart: boolean }).autostart;
  const autostart = page.getByRole('checkbox', { name: 'Start with the host' });
  assert.equal(await autostart.isChecked(), false);
  await autostart.check();
  await page.getByText('On: libvirt starts it when its daemon starts.').waitFor();
  assert.equal(await autostartNow(), true);
  await screenshot(page, 'vm-settings');
  await autostart.uncheck();
  await page.getByText('Off: it stays off until started.').waitFor();
  assert.equal(await autostartNow(), false);
  await noSerious(page, 'settings');
  await context.close();
});

test('media: an ISO outside the allowed directories is refused with the server’s message', async () => {
  const { context, page } = await open(DESKTOP, name, '#media');
  await page.getByText('has no CD-ROM drive').waitFor();
  await page.getByLabel('ISO to insert').fill('/etc/passwd.iso');
  await page.getByRole('checkbox', { name: /Add a drive/ }).check();
  await page.getByRole('button', { name: 'Insert' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'The media change failed' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /allowed/);
  await noSerious(page, 'media');
  await context.close();
});

test('a linked clone: its job’s progress, then its page; deleting it names what goes and what stays', async () => {
  const { context, page } = await open(DESKTOP, name, '#clone');
  await page.getByLabel('Name of the clone').fill(cloneName);
  assert.equal(await page.getByRole('radio', { name: /^Linked/ }).isChecked(), true);
  await page.getByRole('button', { name: 'Clone', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Cloning to ${cloneName}: done` })
    .waitFor();
  const bar = page.getByRole('progressbar', { name: `Cloning to ${cloneName} progress` });
  assert.equal(await bar.getAttribute('value'), '1');
  await page.getByRole('link', { name: `Open ${cloneName}` }).click();
  await page.getByRole('heading', { level: 1, name: cloneName }).waitFor();
  await page.getByRole('heading', { name: 'The model’s choices' }).waitFor();

  await vmTab(page, 'Disks').click();
  await page.getByText('read-only base').first().waitFor();

  await vmTab(page, 'Delete').click();
  await page.getByRole('button', { name: `Delete ${cloneName}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${cloneName}?` });
  await dialog.waitFor();
  const text = await dialog.innerText();
  assert.match(text, new RegExp(`The definition of ${cloneName}`));
  assert.match(text, /Removed[\s\S]*Disk vda: \/var\/lib\/libvirt\/images\/.*-c-vda-[0-9a-f]+\.qcow2/);
  assert.match(text, new RegExp(`Kept[\\s\\S]*Base image of vda: .*"${name}" uses it`));
  await noSerious(page, 'delete dialog');
  await screenshot(page, 'vm-delete-dialog');
  await dialog.getByRole('button', { name: `Delete ${cloneName}` }).click();
  await page.getByRole('heading', { level: 1, name: `${cloneName} is deleted` }).waitFor();
  const done = await page.locator('.deleted').innerText();
  assert.match(done, /Kept:[\s\S]*used by/);
  const gone = await api.call('GET', `/api/vms/${cloneName}?host=${host}`);
  assert.equal(gone.statusCode, 404);
  await context.close();

  // The source's dialog at phone size: its TPM state goes; nothing stands on it any more.
  const phone = await open(PHONE, name, '#delete');
  await phone.page.getByRole('button', { name: `Delete ${name}…` }).click();
  const d2 = phone.page.getByRole('dialog', { name: `Delete ${name}?` });
  await d2.waitFor();
  assert.match(await d2.innerText(), /Removed[\s\S]*Disk vda/);
  await noSerious(phone.page, 'delete dialog phone');
  await screenshot(phone.page, 'vm-delete-dialog');
  await d2.getByRole('button', { name: 'Cancel' }).click();
  await d2.waitFor({ state: 'hidden' });
  await phone.context.close();
});

test('starting from the page: the header follows the state; power off asks first', async () => {
  const { context, page, requests } = await open(DESKTOP, name);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator(`[data-vm="${name}"][data-state="running"]`).waitFor();
  await page.getByRole('button', { name: 'Shut down' }).waitFor();
  // The console's code loads only when its tab is shown (a dynamic import: its own chunk).
  const chunks = () => requests.filter((p) => /\/assets\/(vnc-console|serial-console|vm-charts)-/.test(p));
  assert.deepEqual(chunks(), [], 'no console or chart code before its tab');
  await vmTab(page, 'Console').click();
  await page.getByRole('region', { name: `Console of ${name}` }).waitFor();
  assert.equal(chunks().length, 1, `only the VNC console's chunk: ${chunks().join(', ')}`);
  // A running VM's snapshot is refused by the server, in its words.
  await vmTab(page, 'Snapshots').click();
  await page.getByLabel('New snapshot').fill('while-running');
  await page.getByRole('button', { name: 'Create snapshot' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'The snapshot operation failed' });
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /running/);
  await vmTab(page, 'Overview').click();
  await page.getByRole('button', { name: 'Power off' }).click();
  const dialog = page.getByRole('dialog', { name: `Power off ${name}?` });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Power off' }).click();
  await page.locator(`[data-vm="${name}"][data-state="shutoff"]`).waitFor();
  await context.close();
});

test('a VM whose kernel is gone: the failed start shows the diagnosis; deleted elsewhere, the page says so', async () => {
  const { context, page } = await open(DESKTOP, broken);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('heading', { name: `Why ${broken} does not start` }).waitFor();
  const diag = await page.locator('.diagnosis').innerText();
  assert.match(diag, /Problem: The kernel .*vmlinuz/);
  assert.match(diag, /What to do: Put the file back/);
  await page.getByRole('alert').filter({ hasText: 'That did not work' }).waitFor();
  await noSerious(page, 'diagnosis');
  await screenshot(page, 'vm-diagnosis');
  // Deleted elsewhere (the API, as another window or the CLI would): the page says so at once.
  await call('DELETE', `/api/vms/${broken}?host=${host}`, 200);
  await page.getByRole('heading', { level: 1, name: `${broken} is not there` }).waitFor();
  await page.getByRole('link', { name: 'Back to the VMs' }).click();
  await page.waitForURL(`${url}/`);
  await context.close();
});

test('a VM that is not there says so, with the way back', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.goto(`${url}/vms/${host}/${name}-nope`);
  await page.getByRole('heading', { level: 1, name: `${name}-nope is not there` }).waitFor();
  await page.getByRole('link', { name: 'Back to the VMs' }).waitFor();
  await context.close();
});

test('an address with no page says so and leads back to the list', async () => {
  const phone = await loggedIn(b.browser, url, api.sessions.issueCode(), PHONE);
  await phone.page.goto(`${url}/no/such/place`);
  await phone.page.getByRole('heading', { level: 1, name: 'No such page' }).waitFor();
  await noSerious(phone.page, 'not found, phone');
  await screenshot(phone.page, 'not-found');
  await phone.context.close();
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.goto(`${url}/no/such/place`);
  await page.getByRole('heading', { level: 1, name: 'No such page' }).waitFor();
  await noSerious(page, 'not found');
  await screenshot(page, 'not-found');
  assert.equal(await page.locator('main code').textContent(), '/no/such/place');
  await page.getByRole('link', { name: 'Back to the VMs' }).click();
  await page.getByRole('heading', { level: 1, name: 'VMs' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await context.close();
});
