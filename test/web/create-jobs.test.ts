/**
 * The create wizard and the Jobs page in real Chromium against the real server (in-process, real
 * libvirt): a VM made from the `linux` profile with direct kernel boot of the test guest, through the
 * three steps, landing on its VM page; an ISO's OS detected; a bad name and a kernel outside the
 * allowed directories refused at the field in the server's words; jobs listed live with their
 * progress, a failed one with its error, one cancelled from the page. Screenshots at desktop and
 * phone size, no serious axe violation.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Libvirt } from '../../src/libvirt/index.js';
import { openSystem, removeDomain, tcgDomainXml, uniqueName } from '../libvirt/helpers.js';
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
import { isoImage } from '../support/iso-image.js';
import { testGuestPaths } from '../support/test-guest.js';
import { fillDirectKernelBoot, wizardToResources } from '../support/web-ui.js';

const guest = testGuestPaths();
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-web-create-')));
const created = uniqueName('test-create');
const waiter = uniqueName('test-create-job');
let api: TestApi;
let b: TestBrowser;
let url: string;
let lv: Libvirt;

interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

before(async () => {
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'ubuntu.iso'),
    isoImage({ volumeId: 'Ubuntu-Server 22.04.3 LTS amd64', systemId: 'LINUX' }),
  );
  api = await testApi({ allowedDirs: [dir, guest.dir] });
  url = (await api.listen()).url;
  b = await launchBrowser();
  lv = await openSystem();
});
after(async () => {
  await b?.close();
  await api?.close();
  for (const n of [created, waiter]) await removeDomain(lv, n);
  await lv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's own 400 for a request, to compare with what the page shows. */
async function serverError(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<ErrorBody['error']> {
  const res = await api.call(method, path, body);
  assert.equal(res.statusCode, 400, res.body);
  return (res.json() as ErrorBody).error;
}

test('the wizard creates a linux VM booting the test guest’s kernel and lands on its page', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), viewport);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New VM' }).click();
    await page.getByRole('radio', { name: /Linux \(kernel 5\.15 or newer\)/ }).waitFor();
    // The step indicator marks the first step.
    assert.match(await page.locator('[aria-current="step"]').innerText(), /Operating system/);
    await page.getByRole('radio', { name: /Linux \(kernel 5\.15 or newer\)/ }).check();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'create-os');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 2, name: 'Resources' }).waitFor();
    // Every decision with its reason, the defaults named at their fields.
    const memory = page.locator('li[data-topic="memory"]');
    await memory.waitFor();
    assert.match(await memory.innerText(), /MiB.*—/s);
    assert.match(await page.locator('#f-memory-help').innerText(), /^Default: \d+ MiB — /);
    await page.getByLabel('Name', { exact: true }).fill(created);
    await page.getByLabel('Memory').fill('1G');
    await page.getByLabel('Disk size').fill('none');
    await fillDirectKernelBoot(page, guest);
    await page.getByLabel('Display').selectOption('none');
    // The reasons follow the options (debounced): 1 GiB as asked, no display.
    await page.locator('li[data-topic="memory"]', { hasText: '1024 MiB as asked' }).waitFor();
    await page.locator('li[data-topic="display"]', { hasText: 'none' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'no field is refused');
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'create-defaults');
    if (viewport === DESKTOP) {
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.deepEqual(await seriousViolations(page), [], 'dark');
      await screenshot(page, 'create-defaults-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 2, name: 'Review and create' }).waitFor();
    const review = await page.locator('dl.review').innerText();
    assert.match(review, new RegExp(created));
    assert.ok(review.includes(guest.kernel), review);
    await page.getByLabel('Start the VM once it is created').uncheck();
    await page.getByRole('button', { name: 'Show the domain XML' }).click();
    const xml = page.getByLabel('The domain XML libvirt will get');
    await xml.waitFor();
    assert.ok((await xml.innerText()).includes(`<kernel>${guest.kernel}</kernel>`));
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'create-review');
    if (viewport === DESKTOP) {
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.waitForURL(new RegExp(`/vms/[^/]+/${created}$`));
      const list = (await api.call('GET', '/api/vms')).json() as { name: string }[];
      assert.ok(
        list.some((v) => v.name === created),
        'the VM exists',
      );
      const def = await api.call('GET', `/api/vms/${created}/xml`);
      assert.ok(def.body.includes(guest.kernel), 'it boots the test guest’s kernel directly');
    }
    await context.close();
  }
});

test('any osinfo-db OS can be searched and picked', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), PHONE);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New VM' }).click();
  await page.getByLabel('Search every OS osinfo-db knows').fill('debian 11');
  await page.getByRole('radio', { name: 'Debian 11 debian11' }).check();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'create-os-search');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('li[data-topic="os"]').waitFor();
  assert.match(
    await page.getByRole('heading', { level: 3, name: /What the model decides/ }).innerText(),
    /Debian 11/,
  );
  await context.close();
});

test('a Windows profile offers the virtio-win driver ISO', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New VM' }).click();
  await page.getByRole('radio', { name: /^Windows 11/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('li[data-topic="memory"]').waitFor();
  await page.getByLabel('virtio-win driver ISO').waitFor();
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('radio', { name: /^Linux \(kernel 5\.15/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('li[data-topic="memory"]').waitFor();
  assert.equal(await page.getByLabel('virtio-win driver ISO').count(), 0, 'not for Linux');
  await context.close();
});

test('an installer ISO picks the OS; the wizard then explains it', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New VM' }).click();
  const iso = page.getByLabel('Installer ISO on the server');
  await iso.fill(join(dir, 'ubuntu.iso'));
  await page.getByRole('button', { name: 'Detect' }).click();
  const status = page.locator('.detected');
  await status.waitFor();
  assert.match(await status.innerText(), /Detected .*Ubuntu.*\(ubuntu22\.04\)/);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('li[data-topic="os"]').waitFor();
  assert.equal(await page.getByLabel('Installer ISO', { exact: true }).inputValue(), join(dir, 'ubuntu.iso'));
  // An ISO outside the allowed directories: the server's refusal at the field.
  await page.getByRole('button', { name: 'Back' }).click();
  await iso.fill('/etc/hostname');
  await page.getByRole('button', { name: 'Detect' }).click();
  const refused = await serverError('POST', '/api/vms?printXml=true', {
    name: 'detect-os',
    iso: '/etc/hostname',
  });
  const alert = page.locator('#f-detect-iso-problem [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(escapeRe(refused.message)));
  await context.close();
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('a bad name and a kernel outside the allowed directories show the server’s message at the field', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await wizardToResources(page);
  const badName = await serverError('POST', '/api/vms?printXml=true', { name: 'web server', os: 'linux' });
  await page.getByLabel('Name', { exact: true }).fill('web server');
  const nameAlert = page.locator('#f-name-problem [role="alert"]');
  await nameAlert.waitFor();
  const shown = await nameAlert.innerText();
  assert.ok(shown.includes(badName.message), `${shown} / ${badName.message}`);
  assert.ok(badName.hint && shown.includes(badName.hint), shown);

  const outside = await serverError('GET', '/api/os/linux/explain?kernel=%2Fetc%2Fhostname');
  assert.equal(outside.code, 'path-not-allowed');
  await page.getByText('Advanced: direct kernel boot').click();
  await page.getByLabel('Kernel', { exact: true }).fill('/etc/hostname');
  const kernelAlert = page.locator('#f-kernel-problem [role="alert"]');
  await kernelAlert.waitFor();
  const k = await kernelAlert.innerText();
  assert.ok(k.includes(outside.message), k);
  assert.ok(outside.hint && k.includes(outside.hint) && k.includes(dir), k);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'create-field-errors');
  await page.getByLabel('Name', { exact: true }).fill('web-ok');
  await nameAlert.waitFor({ state: 'detached' });
  // Next stays on the step and goes to the refused field.
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { level: 2, name: 'Resources' }).waitFor();
  assert.equal(await page.locator('#f-kernel').evaluate((el) => el === el.ownerDocument.activeElement), true);
  await page.getByLabel('Kernel', { exact: true }).fill(guest.kernel);
  await kernelAlert.waitFor({ state: 'detached' });
  await context.close();
});

/** A job's card on the Jobs page. */
const card = (page: Page, id: string) => page.locator(`article[data-job="${id}"]`);

test('the Jobs page lists jobs live with their progress and cancels one', async () => {
  // SeaBIOS with nothing to boot ignores the ACPI power button: a shutdown waits until its timeout.
  await (await lv.domains.define(tcgDomainXml(waiter))).start();
  const failing = await api.call('POST', `/api/vms/${waiter}/shutdown`, { timeout: 2 });
  assert.equal(failing.statusCode, 202, failing.body);
  const failedId = (failing.json() as { id: string }).id;

  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.getByRole('link', { name: /^Jobs/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
  // It ends while the page is open: the page hears it (no reload).
  await card(page, failedId).and(page.locator('[data-state="failed"]')).waitFor();
  const failedText = await card(page, failedId).innerText();
  assert.match(failedText, /failed/);
  assert.ok((await card(page, failedId).getByRole('alert').innerText()).length > 0, 'its error is shown');

  const waiting = await api.call('POST', `/api/vms/${waiter}/shutdown`, { timeout: 600 });
  assert.equal(waiting.statusCode, 202, waiting.body);
  const id = (waiting.json() as { id: string }).id;
  const running = card(page, id);
  await running.waitFor();
  // Progress arrives by the event feed: seconds waited of 600.
  await running.getByText(/[1-9]\d* s of 600 s/).waitFor();
  const bar = running.getByRole('progressbar');
  assert.equal(await bar.getAttribute('max'), '600');
  assert.ok(Number(await bar.getAttribute('value')) >= 1);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'jobs');
  const phone = await loggedIn(b.browser, url, api.sessions.issueCode(), PHONE);
  await phone.page.getByRole('link', { name: /^Jobs/ }).click();
  await card(phone.page, id)
    .getByText(/s of 600 s/)
    .waitFor();
  await card(phone.page, failedId).waitFor();
  assert.deepEqual(await seriousViolations(phone.page), []);
  await screenshot(phone.page, 'jobs');
  await phone.context.close();

  await running.getByRole('button', { name: 'Cancel' }).click();
  await card(page, id).and(page.locator('[data-state="cancelled"]')).waitFor();
  assert.match(await card(page, id).innerText(), /cancelled/);
  const job = (await api.call('GET', `/api/jobs/${id}`)).json() as { state: string };
  assert.equal(job.state, 'cancelled');

  // A shutdown that powers the VM off at its timeout: done, with its result.
  const forced = await api.call('POST', `/api/vms/${waiter}/shutdown`, { timeout: 1, force: true });
  assert.equal(forced.statusCode, 202, forced.body);
  const forcedId = (forced.json() as { id: string }).id;
  await card(page, forcedId).and(page.locator('[data-state="done"]')).waitFor();
  const result = await card(page, forcedId).locator('dl.job-result').innerText();
  assert.match(result, /forced\s+true/);
  assert.match(result, /state\s+shutoff/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'jobs-ended');
  await context.close();
});
