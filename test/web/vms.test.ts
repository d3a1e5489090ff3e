/**
 * The VMs page in real Chromium against the real server and daemon: 200 defined VMs all appear; the
 * test guest started and stopped from outside the page (libvirt directly) changes its row without a
 * reload; start and force off from a row work; a refused start shows the server's message and hint
 * by the row. Screenshots at desktop and phone size, axe with no serious violation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Libvirt } from '../../src/libvirt/index.js';
import { openSystem, removeDomain } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import {
  DESKTOP,
  launchBrowser,
  loggedIn,
  PHONE,
  screenshot,
  SCREENSHOTS,
  seriousViolations,
  type TestBrowser,
} from '../support/browser.js';
import { testGuestDomainXml } from '../support/test-guest.js';
import { join } from 'node:path';

const PREFIX = 'phyllo-test-vmslist-';
const BULK = 200;
const bulkName = (i: number) => `${PREFIX}b${String(i).padStart(3, '0')}`;
const GUEST = `${PREFIX}guest`;
const NODISK = `${PREFIX}nodisk`;
const CLONE = `${PREFIX}clone`;

const smallXml = (name: string, i: number) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>${32 * (1 + (i % 4))}</memory>
  <vcpu>${1 + (i % 2)}</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>`;

const missingDiskXml = `<domain type='qemu'>
  <name>${NODISK}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/${PREFIX}missing.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>`;

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
const defined: string[] = [];

before(async () => {
  lv = await openSystem();
  // Left over from an interrupted run.
  for (const d of await lv.domains.list()) if (d.name.startsWith(PREFIX)) await removeDomain(lv, d.name);
  for (let i = 0; i < BULK; i += 20)
    await Promise.all(
      Array.from({ length: Math.min(20, BULK - i) }, (_, j) => {
        const name = bulkName(i + j);
        defined.push(name);
        return lv.domains.define(smallXml(name, i + j));
      }),
    );
  defined.push(GUEST, NODISK, CLONE);
  await lv.domains.define(testGuestDomainXml({ name: GUEST, memoryMiB: 128 }));
  await lv.domains.define(missingDiskXml);
  api = await testApi();
  url = (await api.listen()).url;
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await api?.close();
  if (lv) {
    for (const name of defined) await removeDomain(lv, name);
    await lv.close();
  }
});

const row = (page: Page, name: string) => page.locator(`tr[data-vm="${name}"]`);
const waitState = (page: Page, name: string, state: string) =>
  page.locator(`tr[data-vm="${name}"][data-state="${state}"]`).waitFor();

test('every one of 200 defined VMs appears in the list, with the contract’s attributes', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.locator(`[data-vm="${bulkName(BULK - 1)}"]`).waitFor();
  assert.equal(await page.locator(`[data-vm^="${PREFIX}b"]`).count(), BULK);
  const first = row(page, bulkName(0));
  assert.equal(await first.getAttribute('data-state'), 'shutoff');
  assert.equal(await first.getAttribute('data-host'), api.hosts.list()[0]!.id);
  assert.match(await first.innerText(), /shut off/);
  await context.close();
});

test('the filter and sort narrow and order the list, and stay in the address', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.locator(`[data-vm="${bulkName(0)}"]`).waitFor();
  await page.getByRole('searchbox', { name: 'Filter' }).fill(`${PREFIX}b01`);
  await page.locator(`[data-vm="${bulkName(20)}"]`).waitFor({ state: 'detached' });
  assert.equal(await page.locator(`[data-vm^="${PREFIX}"]`).count(), 10);
  await page.getByRole('button', { name: 'Name' }).click();
  await page.waitForURL(/dir=desc/);
  const order = await page
    .locator('tr[data-vm]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-vm')));
  assert.equal(order[0], bulkName(19));
  assert.equal(order.at(-1), bulkName(10));
  await page.reload();
  await page.locator(`[data-vm="${bulkName(19)}"]`).waitFor();
  assert.equal(
    await page.getByRole('searchbox', { name: 'Filter' }).inputValue(),
    `${PREFIX}b01`,
    'the filter survives a reload',
  );
  assert.equal(await page.locator(`[data-vm^="${PREFIX}"]`).count(), 10);
  // A name opens the VM's page in the app, without loading the page again.
  await page.evaluate('window.phylloMarker = 1');
  await row(page, bulkName(19))
    .getByRole('link', { name: bulkName(19) })
    .click();
  await page.waitForURL(new RegExp(`/vms/local/${bulkName(19)}$`));
  assert.equal(await page.evaluate('window.phylloMarker'), 1, 'no reload');
  await context.close();
});

test('a VM started and stopped outside the page changes its row without a reload', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await waitState(page, GUEST, 'shutoff');
  const dom = await lv.domains.lookup(GUEST);
  await dom.start();
  await waitState(page, GUEST, 'running');
  await row(page, GUEST)
    .getByRole('button', { name: `Shut down ${GUEST}` })
    .waitFor();
  await dom.destroy();
  await waitState(page, GUEST, 'shutoff');
  await row(page, GUEST)
    .getByRole('button', { name: `Start ${GUEST}` })
    .waitFor();
  await context.close();
});

test('start and force off from the row; a refused start shows the server’s message by the row', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.getByRole('searchbox', { name: 'Filter' }).fill(`${PREFIX}`);
  await waitState(page, GUEST, 'shutoff');
  await page.getByRole('button', { name: `Start ${GUEST}` }).click();
  await waitState(page, GUEST, 'running');
  assert.equal((await (await lv.domains.lookup(GUEST)).state()).state, 'running');

  // Stats of the running VM on screen: a sparkline gets drawn from the per-second samples.
  await row(page, GUEST).locator('.c-cpu svg path').waitFor();

  // Shut down is a job: the row shows it in progress, and offers only to cancel it or force off
  // meanwhile (the test guest has no ACPI daemon, so it waits until forced).
  await page.getByRole('button', { name: `Shut down ${GUEST}` }).click();
  await row(page, GUEST)
    .getByRole('progressbar', { name: `Shutting down ${GUEST}` })
    .waitFor();
  assert.deepEqual(await row(page, GUEST).getByRole('button').allInnerTexts(), [
    'Cancel shutdown',
    'Force off',
  ]);

  page.once('dialog', (d) => {
    assert.match(d.message(), new RegExp(`Force off ${GUEST}`));
    void d.accept();
  });
  await page.getByRole('button', { name: `Force off ${GUEST}` }).click();
  await waitState(page, GUEST, 'shutoff');
  await row(page, GUEST).getByRole('progressbar').waitFor({ state: 'detached' });

  const direct = await api.call('POST', `/api/vms/${NODISK}/start`);
  assert.ok(direct.statusCode >= 400, 'the server refuses to start a VM whose disk is missing');
  const expected = (direct.json() as { error: { message: string; hint?: string } }).error;
  await page.getByRole('button', { name: `Start ${NODISK}` }).click();
  const alert = page.locator(`tr[data-error-of="${NODISK}"] [role="alert"]`);
  await alert.waitFor();
  const text = await alert.innerText();
  assert.ok(text.includes(expected.message.slice(0, 60)), `${text} has the server's message`);
  if (expected.hint) assert.ok(text.includes(expected.hint.slice(0, 40)), `${text} has the hint`);
  assert.equal(await row(page, NODISK).getAttribute('data-state'), 'shutoff');
  await context.close();
});

test('a VM being cloned shows at once as a pending row, then as itself', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.locator(`[data-vm="${bulkName(0)}"]`).waitFor();
  // Records every pending row the page shows, however short-lived.
  await page.evaluate(`(() => {
    window.phylloPending = [];
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n.nodeType === 1 && n.matches('tr[data-pending]'))
            window.phylloPending.push({ text: n.innerText, bar: !!n.querySelector('progress[aria-label]') });
    }).observe(document.body, { childList: true, subtree: true });
  })()`);
  const res = await api.call('POST', `/api/vms/${bulkName(0)}/clone`, { name: CLONE });
  assert.equal(res.statusCode, 202, res.body);
  await page.locator(`tr[data-vm="${CLONE}"][data-state="shutoff"]`).waitFor();
  const seen = (await page.evaluate('window.phylloPending')) as { text: string; bar: boolean }[];
  assert.ok(seen.length > 0, 'a pending row was shown');
  assert.ok(
    seen.every((p) => p.bar),
    'with a labelled progress bar',
  );
  assert.match(seen.map((p) => p.text).join('\n'), /being cloned/);
  await page.locator('tr[data-pending]').waitFor({ state: 'detached' });
  await context.close();
});

test('screenshots at desktop and phone size; no serious axe violation', async () => {
  const dom = await lv.domains.lookup(GUEST);
  await dom.start();
  try {
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), viewport);
      await page.goto(
        `${url}/?q=${encodeURIComponent('vmslist-b00, vmslist-guest, vmslist-nodisk')}&sort=state`,
      );
      await waitState(page, GUEST, 'running');
      await row(page, GUEST).locator('.c-cpu svg path').waitFor();
      // A refused action's error, so that it is in the picture and checked by axe.
      await page.getByRole('button', { name: `Start ${NODISK}` }).click();
      await page.locator(`tr[data-error-of="${NODISK}"]`).waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      const width = await page.evaluate('document.documentElement.scrollWidth');
      assert.ok(Number(width) <= viewport.width, `no sideways scrolling: ${width} px wide`);
      await screenshot(page, 'vms-list');
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({
        path: join(SCREENSHOTS, `vms-list-top-${viewport.width}x${viewport.height}.png`),
      });
      await context.close();
    }
  } finally {
    await dom.destroy().catch(() => undefined);
  }
});

test('with several hosts the list is grouped by host, and a host that is not connected says so', async () => {
  // Nothing listens on port 1: the second host never connects.
  const two = await testApi({ uris: ['qemu:///system', 'qemu+tcp://127.0.0.1:1/system'] });
  try {
    const twoUrl = (await two.listen()).url;
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page } = await loggedIn(b.browser, twoUrl, two.sessions.issueCode(), viewport);
      await page.goto(`${twoUrl}/?q=${encodeURIComponent('vmslist-guest, vmslist-nodisk')}`);
      await page.getByRole('heading', { name: /^local/ }).waitFor();
      const down = page.locator('section[data-host-group="127.0.0.1"]');
      await down.getByRole('heading', { name: /127\.0\.0\.1.*not connected/ }).waitFor();
      await down.getByRole('alert').waitFor();
      await page.locator(`section[data-host-group="local"] tr[data-vm="${GUEST}"]`).waitFor();
      assert.equal(await page.locator(`tr[data-vm="${GUEST}"]`).getAttribute('data-host'), 'local');
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, 'vms-list-hosts');
      await context.close();
    }
  } finally {
    await two.close();
  }
});
