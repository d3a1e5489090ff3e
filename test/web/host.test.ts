/**
 * The Host page in real Chromium against the real server (in-process, real libvirt): this machine's
 * readiness checklist with the KVM check and its fix, its "IOMMU is off" state and its overhead bar;
 * with the server's hostRoot on the AMD two-GPU desktop fixture, the IOMMU groups drawn with their
 * verdicts, the GPUs and USB devices, and Re-test; a remote host and an unknown host show the
 * server's message and hint. Screenshots at desktop and phone size, axe with no serious violation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
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
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';

// Nothing listens there: a remote host (tcp transport) whose daemon is down.
const DOWN = 'qemu+tcp://127.0.0.1:9/system';

let live: TestApi;
let fixture: TestApi;
let liveUrl: string;
let fixtureUrl: string;
let fx: ReturnType<typeof makeFixtures>;
let b: TestBrowser;
before(async () => {
  fx = makeFixtures(['amd-desktop']);
  live = await testApi({ uris: ['qemu:///system', DOWN] });
  fixture = await testApi({ hostRoot: fx.roots['amd-desktop']! });
  liveUrl = (await live.listen()).url;
  fixtureUrl = (await fixture.listen()).url;
  b = await launchBrowser();
});
after(async () => {
  await b?.close();
  await live?.close();
  await fixture?.close();
  fx?.cleanup();
});

interface Check {
  id: string;
  status: string;
  summary: string;
  fix: string;
}

async function apiJson<T>(api: TestApi, url: string): Promise<T> {
  const res = await api.call('GET', url);
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json() as T;
}

/** The page once the checklist, the device map and the overhead are all drawn. */
async function hostPageLoaded(page: Page): Promise<void> {
  await page.locator('[data-check="kvm.works"]').waitFor();
  await page.locator('.iommu-map, [data-iommu="off"]').first().waitFor();
  await page.locator('.mem-bar').waitFor();
}

test('this machine: the checklist with the KVM check and its fix, IOMMU off, the overhead bar', async () => {
  const report = await apiJson<{ verdict: string; checks: Check[] }>(live, '/api/host/check');
  const kvm = report.checks.find((c) => c.id === 'kvm.works')!;
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await loggedIn(b.browser, liveUrl, live.sessions.issueCode(), viewport);
    await page.getByRole('link', { name: 'Host' }).click();
    await hostPageLoaded(page);
    const item = page.locator('[data-check="kvm.works"]');
    const text = await item.innerText();
    assert.match(
      text,
      new RegExp(kvm.status === 'pass' ? 'Pass' : kvm.status === 'fail' ? 'Fail' : 'Warning'),
    );
    assert.ok(text.includes(kvm.summary), text);
    if (kvm.status === 'fail' || kvm.status === 'warn') {
      assert.match(text, /Fix:/, 'the fix of a failing check is shown');
      assert.ok(text.includes(kvm.fix.replace(/`/g, '')), `${text}\n---\n${kvm.fix}`);
      assert.match(
        await page.locator('.host-kvm').innerText(),
        /TCG/,
        'the summary says what a broken KVM means',
      );
    }
    // Every command of a fix in <code>.
    const vhost = report.checks.find((c) => c.id === 'net.vhost');
    if (vhost?.fix.includes('`'))
      assert.equal(
        await page.locator('[data-check="net.vhost"] .check-fix code').first().innerText(),
        /`([^`]+)`/.exec(vhost.fix)![1],
      );
    const headline = await page.locator('.host-headline').innerText();
    assert.match(
      headline,
      report.verdict === 'ready'
        ? /Ready for VMs/
        : report.verdict === 'degraded'
          ? /VMs can run/
          : /Not ready/,
    );
    const devices = await apiJson<{ iommu: { enabled: boolean } }>(live, '/api/host/devices');
    if (!devices.iommu.enabled)
      assert.match(await page.locator('[data-iommu="off"]').innerText(), /The IOMMU is off/);
    const bar = await page.locator('.mem-bar').getAttribute('aria-label');
    assert.match(
      bar ?? '',
      /^Memory: Host OS .+ libvirt and helpers .+ Phyllome .+ Guests now .+ Free for guests /,
    );
    assert.ok(await page.locator('.mem-bar .seg-host').isVisible(), 'the host OS part of the bar is drawn');
    // Two hosts: a picker.
    assert.ok(await page.getByLabel('Host', { exact: true }).isVisible());
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'host-this-machine');
    await context.close();
  }
});

test('the AMD two-GPU fixture: IOMMU groups as boxes with verdicts and reasons, GPUs, USB, Re-test', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await loggedIn(b.browser, fixtureUrl, fixture.sessions.issueCode(), viewport);
    await page.goto(`${fixtureUrl}/host`);
    await hostPageLoaded(page);
    const groups = page.locator('[data-group]');
    assert.equal(await groups.count(), 6);
    const verdicts = await groups.evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-group'), e.getAttribute('data-verdict')]),
    );
    assert.deepEqual(verdicts, [
      ['0', 'host-critical'],
      ['1', 'host-critical'],
      ['2', 'shared'],
      ['3', 'shared'],
      ['4', 'shared'],
      ['5', 'host-critical'],
    ]);
    const g1 = await page.locator('[data-group="1"]').innerText();
    assert.match(g1, /Host-critical/, 'the verdict as a word');
    assert.match(g1, /drives the host's display \(DP-1\)/, 'and why');
    assert.match(g1, /02:00\.0/);
    assert.match(g1, /VGA controller/i);
    const g2 = await page.locator('[data-group="2"]').innerText();
    assert.match(g2, /Shared/);
    assert.match(g2, /GeForce RTX 3070/);
    assert.match(g2, /Warning: 0000:0b:00\.0 has only a bus reset/);
    assert.match(await page.locator('.map-summary').innerText(), /6 IOMMU groups: 3 shared, 3 host-critical/);
    assert.equal(await page.locator('[data-gpu]').count(), 2);
    assert.match(await page.locator('[data-gpu="0000:0b:00.0"]').innerText(), /in group 2, ⚭ Shared/);
    assert.equal(await page.locator('[data-usb]').count(), 3);
    assert.match(await page.locator('[data-usb="1-3"]').innerText(), /Keyboard/);
    assert.match(await page.locator('.host-headline').innerText(), /Ready for VMs, with 2 warnings/);
    assert.match(await page.locator('.host-kvm').innerText(), /KVM works/);
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'host');
    if (viewport === DESKTOP) {
      const button = page.getByRole('button', { name: /Re-test/ });
      await button.click();
      await page.getByRole('button', { name: 'Re-test', exact: true }).waitFor();
      assert.equal(await button.isEnabled(), true);
      assert.equal(await page.getByRole('alert').count(), 0, 'no error after the re-test');
      await page.locator('[data-check="kvm.works"]').waitFor();
    }
    await context.close();
  }
});

test("a remote host: the server's message and hint, not a blank page; an unknown host too", async () => {
  const { context, page } = await loggedIn(b.browser, liveUrl, live.sessions.issueCode());
  await page.goto(`${liveUrl}/host`);
  await page.locator('[data-check="kvm.works"]').waitFor();
  await page.getByLabel('Host', { exact: true }).selectOption('127.0.0.1');
  await page.waitForURL(/\/host\?host=127\.0\.0\.1$/);
  const notes = page.locator('.host-remote');
  await notes.first().waitFor();
  assert.equal(await notes.count(), 2, 'the checklist and the device map each say why');
  const text = await notes.first().innerText();
  assert.match(text, /reads the hardware of the machine it runs on; host "127\.0\.0\.1"/);
  assert.match(text, /Run phyllo host check on that machine itself/);
  // Its daemon is down: /api/status's 503 in the server's words.
  const alert = page.getByRole('alert').filter({ hasText: 'is not reachable right now' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /Try again in a moment/);
  assert.match(
    await page.locator('.host-page').innerText(),
    /overhead is measured on the machine Phyllome runs on/,
  );
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'host-remote');

  await page.goto(`${liveUrl}/host?host=no-such-host`);
  const missing = page.getByRole('alert').filter({ hasText: 'Cannot show this host' });
  await missing.waitFor();
  const m = await missing.innerText();
  assert.match(m, /No host "no-such-host" is connected to this server/);
  assert.match(m, /Connected hosts: .*127\.0\.0\.1/);
  assert.deepEqual(await seriousViolations(page), []);
  await context.close();
});
