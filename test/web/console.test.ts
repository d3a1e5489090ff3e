/**
 * The VM page's console, serial and chart tabs in real Chromium against the real server and daemon:
 * the test guest (TCG, a VNC display on a UNIX socket as the model gives it) is started paused so the
 * serial tab is attached before the guest prints its report line; the serial tab shows that line and
 * echoes what is typed; a second tab is refused the held console and takes it over; the VNC canvas
 * shows non-black pixels, Send Ctrl-Alt-Del is enabled, and Ctrl+] takes the keyboard out of it (Tab
 * does not); the charts draw from the per-second samples; killing the VM says so in the console, a
 * shut-off VM gets no connection attempt, and a running VM without a display is told as such.
 * Screenshots vm-console, vm-serial, vm-charts at desktop and phone size.
 *
 * It needs the VM page (web/src/pages/vm.tsx) to render VncConsole, SerialConsole and VmCharts in
 * tabs named Console, Serial and Charts (role=tab).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { connect, CreateFlags, type Libvirt } from '../../src/libvirt/index.js';
import { removeDomain, uniqueName } from '../libvirt/helpers.js';
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
import { ECHO_MARKER, REPORT_MARKER, testGuestDomainXml } from '../support/test-guest.js';
import { waitForPixels } from '../support/vnc-canvas.js';
import { vmTab, waitConsoleState } from '../support/web-ui.js';

/** The display the model gives a VM on this host (as test/server/console.test.ts). */
const VNC_SOCKET_DISPLAY = `    <graphics type='vnc'><listen type='socket'/></graphics>
    <video><model type='vga'/></video>`;
/** Waits on the guest (boot under TCG, the daemon): a failure after this long, not a speed limit. */
const GUEST = { timeout: 120_000 };

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
let host: string;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-web-console-'));
const vm = uniqueName('test-console');
/** A running VM without a display. */
const headless = uniqueName('test-console-nodisplay');

before(async () => {
  api = await testApi();
  url = (await api.listen()).url;
  host = (await api.call('GET', '/api/hosts')).json()[0].id;
  b = await launchBrowser();
  lv = await connect('qemu:///system');
  await lv.domains.define(
    testGuestDomainXml({ name: vm, serialFile: join(dir, 'serial.log'), extraDevices: VNC_SOCKET_DISPLAY }),
  );
  // Paused: the serial tab attaches before the guest can print its report line.
  await (await lv.domains.lookup(vm)).start(CreateFlags.PAUSED);
  await lv.domains.define(testGuestDomainXml({ name: headless }));
  await (await lv.domains.lookup(headless)).start(CreateFlags.PAUSED);
});
after(async () => {
  await b?.close();
  if (lv) {
    await removeDomain(lv, vm);
    await removeDomain(lv, headless);
    await lv.close();
  }
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the tab says of a VM that is not running: the console's words, or the VM page's own notice. */
const notRunning = (name: string) => new RegExp(`${name} is not running|works while ${name} runs`);

const vmUrl = () => `${url}/vms/${encodeURIComponent(host)}/${encodeURIComponent(vm)}`;

function stateOf(region: Locator): Locator {
  return region.getByRole('status');
}

/** The points the CPU chart has drawn (its data-points). */
const cpuPoints = (n: number) =>
  `Number(document.querySelector('figure[data-chart="cpu"]')?.getAttribute('data-points') ?? 0) >= ${n}`;

test('serial: the guest’s report line and an echo; a second tab is refused the held console and takes it over', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.goto(vmUrl());
  await vmTab(page, 'Serial').click();
  const serial = page.getByRole('region', { name: `Serial console of ${vm}` });
  await waitConsoleState(serial, 'connected', GUEST);
  assert.equal(await stateOf(serial).innerText(), 'connected');
  assert.equal((await api.call('POST', `/api/vms/${vm}/resume?host=${host}`)).json().state, 'running');
  const rows = serial.locator('.xterm-rows');
  await rows.filter({ hasText: `${REPORT_MARKER} ` }).waitFor(GUEST);
  await serial.locator('.xterm').click();
  await page.keyboard.type('hello-web');
  await page.keyboard.press('Enter');
  await rows.filter({ hasText: `${ECHO_MARKER} hello-web` }).waitFor(GUEST);
  // Tab is the guest's while the terminal has the keyboard; Ctrl+] gives it back.
  const inTerminal = () =>
    page.evaluate('!!document.activeElement?.closest(".serial-screen")') as Promise<boolean>;
  await page.keyboard.press('Tab');
  assert.equal(await inTerminal(), true, 'Tab stays in the terminal');
  await page.keyboard.press('Control+BracketRight');
  assert.equal(await inTerminal(), false, 'Ctrl+] leaves the terminal');
  assert.match(String(await page.evaluate('document.activeElement?.textContent')), /gives the keyboard back/);
  await serial.locator('.xterm').click();
  await page.keyboard.press('Enter'); // ends the guest's line holding the Tab
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'vm-serial');

  // Another tab: the console is held, so it is refused and offers to take it over.
  const other = await context.newPage();
  await other.goto(vmUrl());
  await vmTab(other, 'Serial').click();
  const otherSerial = other.getByRole('region', { name: `Serial console of ${vm}` });
  await waitConsoleState(otherSerial, 'disconnected', GUEST);
  assert.match(await otherSerial.innerText(), /another session may hold it/);
  await otherSerial.getByRole('button', { name: 'Take over' }).click();
  await waitConsoleState(otherSerial, 'connected', GUEST);
  await waitConsoleState(serial, 'disconnected', GUEST);
  assert.match(await serial.innerText(), /another session took it over/);
  await serial.getByRole('button', { name: 'Take over' }).waitFor();
  await other.keyboard.type('again');
  await other.keyboard.press('Enter');
  await otherSerial
    .locator('.xterm-rows')
    .filter({ hasText: `${ECHO_MARKER} again` })
    .waitFor(GUEST);
  await context.close();
});

test('console: noVNC draws the guest’s screen; Send Ctrl-Alt-Del, full screen and the clipboard are there', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.goto(vmUrl());
  await vmTab(page, 'Console').click();
  const region = page.getByRole('region', { name: `Console of ${vm}` });
  await waitConsoleState(region, 'connected', GUEST);
  const px = await waitForPixels(page, region);
  assert.ok(px.lit > 0, `the canvas (${px.width}×${px.height}) has non-black pixels`);
  assert.ok(await region.getByRole('button', { name: 'Send Ctrl-Alt-Del' }).isEnabled());
  // No keyboard trap: Tab goes to the guest, Ctrl+] gives the keyboard back to the page.
  const focusInScreen = () =>
    page.evaluate('!!document.activeElement?.closest(".vnc-screen")') as Promise<boolean>;
  await region.locator('canvas').click();
  assert.equal(await focusInScreen(), true, 'a click puts the keyboard in the screen');
  await page.keyboard.press('Tab');
  assert.equal(await focusInScreen(), true, 'Tab is the guest’s');
  await page.keyboard.press('Control+BracketRight');
  assert.equal(await focusInScreen(), false, 'Ctrl+] leaves the screen');
  assert.equal(
    await page.evaluate('document.activeElement?.textContent'),
    'Clipboard',
    'for the next control',
  );
  await region.getByText('Ctrl+] gives the keyboard back.').waitFor();
  await region.getByRole('button', { name: 'Full screen' }).click();
  await region.getByRole('button', { name: 'Exit full screen' }).waitFor();
  assert.equal(
    await page.evaluate('document.fullscreenElement?.getAttribute("aria-label")'),
    `Console of ${vm}`,
  );
  await region.getByRole('button', { name: 'Exit full screen' }).click();
  await region.getByRole('button', { name: 'Full screen' }).waitFor();
  await region.getByText('Clipboard', { exact: true }).click();
  await region.getByLabel('Text to paste into the VM’s clipboard').fill('from the browser');
  assert.ok(await region.getByRole('button', { name: 'Send to the VM' }).isEnabled());
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'vm-console');
  await context.close();
});

test('charts: CPU, memory, disk and network draw from the per-second samples', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.goto(vmUrl());
  await vmTab(page, 'Charts').click();
  const region = page.getByRole('region', { name: `Charts of ${vm}` });
  for (const chart of ['cpu', 'memory', 'disk', 'net'])
    await region.locator(`figure[data-chart="${chart}"] canvas`).waitFor();
  // A few samples after the subscription (the history first, then one a second).
  await page.waitForFunction(cpuPoints(5), undefined, GUEST);
  const cpuNow = await region.locator('figure[data-chart="cpu"] .vm-chart-now').innerText();
  assert.match(cpuNow, /^\d+(\.\d)?%$/, `the CPU now: ${cpuNow}`);
  const memNow = await region.locator('figure[data-chart="memory"] .vm-chart-now').innerText();
  assert.match(memNow, /iB of 256 MiB$/, `memory now: ${memNow}`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'vm-charts');
  // Dark mode: the charts are drawn again in its colours.
  await page.emulateMedia({ colorScheme: 'dark' });
  await region.locator('figure[data-chart="cpu"] canvas').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'vm-charts-dark');
  await context.close();
});

test('phone size: the three tabs fit; killing the VM says so in the console', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), PHONE);
  await page.goto(vmUrl());
  await vmTab(page, 'Charts').click();
  const charts = page.getByRole('region', { name: `Charts of ${vm}` });
  await charts.locator('figure[data-chart="net"] canvas').waitFor();
  await page.waitForFunction(cpuPoints(3), undefined, GUEST);
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= PHONE.width, `no sideways scrolling: ${width} px`);
  await screenshot(page, 'vm-charts');

  await vmTab(page, 'Serial').click();
  const serial = page.getByRole('region', { name: `Serial console of ${vm}` });
  await waitConsoleState(serial, 'connected', GUEST);
  await serial.locator('.xterm').click();
  await page.keyboard.type('phone');
  await page.keyboard.press('Enter');
  await serial
    .locator('.xterm-rows')
    .filter({ hasText: `${ECHO_MARKER} phone` })
    .waitFor(GUEST);
  await screenshot(page, 'vm-serial');

  await vmTab(page, 'Console').click();
  const region = page.getByRole('region', { name: `Console of ${vm}` });
  await waitConsoleState(region, 'connected', GUEST);
  assert.ok((await waitForPixels(page, region)).lit > 0);
  await screenshot(page, 'vm-console');

  // The console's WebSocket, to see it end when the VM is killed.
  await vmTab(page, 'Charts').click();
  const vnc = page.waitForEvent('websocket', (ws) => /\/vnc\?/.test(ws.url()));
  await vmTab(page, 'Console').click();
  const socket = await vnc;
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await waitConsoleState(region, 'connected', GUEST);
  assert.equal((await api.call('POST', `/api/vms/${vm}/kill?host=${host}`)).json().state, 'shutoff');
  await closed;
  await page.getByRole('tabpanel').getByText(notRunning(vm)).waitFor(GUEST);
  // Where the console is still shown (the page may show its own notice instead), it tells the server's reason.
  if ((await region.count()) > 0) {
    await region.getByText(`The VM stopped. ${vm} is not running: start it to see its console.`).waitFor();
    assert.equal(
      await region.getByRole('button', { name: 'Reconnect' }).count(),
      0,
      'no reconnect to a stopped VM',
    );
  }
  await context.close();
});

test('a VM that is not running: the console and serial tabs say so and do not connect', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), DESKTOP);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(vmUrl());
  for (const tab of ['Console', 'Serial'] as const) {
    await vmTab(page, tab).click();
    await page.getByRole('tabpanel').getByText(notRunning(vm)).waitFor();
  }
  assert.deepEqual(
    sockets.filter((u) => /\/(vnc|serial)\?/.test(u)),
    [],
    'no console connection to a shut-off VM',
  );
  await context.close();
});

test('a running VM without a display: the console tab says so', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), DESKTOP);
  await page.goto(`${url}/vms/${encodeURIComponent(host)}/${encodeURIComponent(headless)}`);
  await vmTab(page, 'Console').click();
  // The VM page may tell it from the VM's definition before the console tries; the console, when
  // shown, tells it from the VM's displays after the refused connection.
  await page
    .getByRole('tabpanel')
    .getByText(/no display/)
    .waitFor();
  const region = page.getByRole('region', { name: `Console of ${headless}` });
  if ((await region.count()) > 0) {
    await waitConsoleState(region, 'disconnected', GUEST);
    await region.getByText('Disconnected: This VM has no display.').waitFor();
    assert.ok(!(await region.getByRole('button', { name: 'Send Ctrl-Alt-Del' }).isEnabled()));
  }
  await context.close();
});
