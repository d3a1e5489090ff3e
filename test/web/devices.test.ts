/**
 * The VM page's Devices tab in real Chromium against the real server (in-process, the real system
 * daemon), on a shut-off VM made through the API, with PCI decided on the AMD desktop fixture (the
 * server's hostRoot, as `--root`): a network card, a shared folder of a directory inside the server's
 * allowed ones (one outside is refused with the server's hint), the fixture's GPU whose IOMMU group is
 * shared (refused, then given with its whole group: its warnings shown), a USB device this host does
 * not have (the server's refusal shown), a USB rule; each change says when it applies; each is checked
 * in the domain XML, then removed from the page. Screenshots vm-devices and vm-devices-refused at
 * desktop and phone size, vm-devices-pci-warnings at desktop size; no serious axe violation.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';
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
import { vmTab } from '../support/web-ui.js';

const name = uniqueName('test-devices');
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-devices-')));
const shared = join(dir, 'projects');
const MAC = '52:54:00:dd:ee:42';
const RULE = '1050:0407:KEY1';
/** A hang guard for waits on the page (a busy machine), not a speed limit. */
const HANG_GUARD_MS = 120_000;

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
let host: string;
let fx: ReturnType<typeof makeFixtures>;
const pageErrors: string[] = [];

const xml = async () => (await lv.domains.lookup(name)).xml(DomainXmlFlags.INACTIVE);

before(async () => {
  chmodSync(dir, 0o755);
  mkdirSync(shared, { mode: 0o755 });
  fx = makeFixtures(['amd-desktop']);
  api = await testApi({ allowedDirs: [dir], hostRoot: fx.roots['amd-desktop']! });
  url = (await api.listen()).url;
  lv = await connect('qemu:///system');
  const hosts = await api.call('GET', '/api/hosts');
  host = (hosts.json() as { id: string }[])[0]!.id;
  const made = await api.call('POST', '/api/vms', {
    name,
    os: 'linux',
    memory: '1G',
    diskSize: 'none',
    display: 'none',
  });
  assert.equal(made.statusCode, 201, made.body);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await deleteVm(lv, name, { force: true }).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${name}:`, err);
  });
  await lv?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
  fx?.cleanup();
});

async function open(viewport: typeof DESKTOP) {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), viewport);
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${url}/vms/${host}/${name}#devices`);
  await page.getByRole('heading', { level: 1, name }).waitFor();
  assert.equal(await vmTab(page, 'Devices').getAttribute('aria-selected'), 'true');
  await page.getByRole('heading', { level: 2, name: 'Network cards' }).waitFor();
  await page.locator('table.device-table [data-nic]').first().waitFor();
  return { context, page };
}

async function noSerious(page: Page, where: string) {
  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  assert.deepEqual(await seriousViolations(page), [], where);
}

/** The section under the level-2 heading `title`. */
const section = (page: Page, title: string) =>
  page
    .locator('section.device-section')
    .filter({ has: page.getByRole('heading', { level: 2, name: title }) });

/** Waits for a change's note in `where` and answers its text (what was done and when it applies). */
async function changed(where: ReturnType<typeof section>, text: string | RegExp): Promise<string> {
  const note = where.getByRole('status').filter({ hasText: text });
  await note.waitFor();
  return note.innerText();
}

test('the Devices tab adds a NIC, a share, a PCI group and a USB rule, shows refusals, and removes them', async () => {
  const { context, page } = await open(DESKTOP);
  const nics = section(page, 'Network cards');
  const shares = section(page, 'Shared folders');
  const hostdevs = section(page, 'Host devices');
  const rules = section(page, 'USB rules');
  await shares.getByText('No shared folders.').waitFor();
  await hostdevs.getByText(`No host device is given to ${name}.`).waitFor();
  await rules.getByText('No USB rules.').waitFor();
  assert.match(await rules.locator('.notice').innerText(), /The Phyllome server runs these rules/);

  // A network card: e1000e on the default network with a chosen MAC, in the definition (shut off).
  await nics.getByLabel('Model').selectOption('e1000e');
  await nics.getByLabel('MAC address').fill(MAC);
  await nics.getByRole('button', { name: 'Add network card' }).click();
  const nicNote = await changed(nics, `Added a e1000e card on network default (${MAC})`);
  assert.match(nicNote, /Applies at its next start — the VM is shut off/);
  await nics.locator(`[data-nic="${MAC}"]`).waitFor();
  assert.match(
    await xml(),
    new RegExp(`<mac address='${MAC}'/>\\s*<source network='default'/>\\s*<model type='e1000e'/>`),
  );

  // A shared folder: outside the allowed directories the server's message and hint show; inside, shared.
  await shares.getByLabel('Host directory').fill('/etc');
  await shares.getByLabel('Tag').fill('etc');
  await shares.getByRole('button', { name: 'Share folder' }).click();
  const outside = shares.getByRole('alert').filter({ hasText: 'The shared folder was not changed' });
  await outside.waitFor();
  assert.match(await outside.innerText(), /not allowed/);
  assert.match(await outside.locator('.error-hint').innerText(), new RegExp(dir));
  await shares.getByLabel('Tag').fill('');
  await shares.getByLabel('Host directory').fill(shared);
  assert.equal(await shares.getByLabel('Tag').getAttribute('placeholder'), 'projects');
  await shares.getByRole('button', { name: 'Share folder' }).click();
  const shareNote = await changed(shares, `Shared ${shared} as “projects”`);
  assert.match(shareNote, /Applies at its next start/);
  assert.match(shareNote, /In the guest: mount -t virtiofs projects \/mnt/);
  await shares.locator('[data-share="projects"]').waitFor();
  assert.match(await xml(), new RegExp(`<source dir='${shared}'/>\\s*<target dir='projects'/>`));

  // PCI: the fixture's GPU shares its IOMMU group: refused with the server's words, then the whole group.
  const pick = hostdevs.getByLabel('PCI device of this host');
  assert.match(await pick.innerText(), /0b:00\.0 · Shared \(group 2\) · NVIDIA Corporation GA104/);
  await pick.selectOption('0000:0b:00.0');
  assert.equal(await hostdevs.getByLabel('PCI address', { exact: true }).inputValue(), '0000:0b:00.0');
  await hostdevs.getByText('Its devices can only be given to a guest all together.').waitFor();
  await hostdevs.getByRole('button', { name: 'Give PCI device' }).click();
  const needs = hostdevs.getByRole('alert').filter({ hasText: 'The host device was not changed' });
  await needs.waitFor();
  assert.match(await needs.innerText(), /shares IOMMU group 2 with 0000:0b:00\.1/);
  await noSerious(page, 'devices, PCI refused');
  await screenshot(page, 'vm-devices-refused');
  assert.doesNotMatch(await xml(), /<hostdev/, 'a refusal changes nothing');
  await hostdevs.getByRole('button', { name: 'Give the whole group' }).click();
  const pciNote = await changed(hostdevs, /Gave it 0b:00\.0 .*GA104.*, 0b:00\.1 /);
  assert.match(pciNote, /Applies at its next start/);
  const warnings = hostdevs.locator('.device-warnings');
  assert.equal(await warnings.getAttribute('role'), 'alert');
  assert.match(await warnings.innerText(), /^2 WARNINGS/);
  assert.equal(await warnings.locator('li').count(), 2);
  await screenshot(page, 'vm-devices-pci-warnings');
  await hostdevs.locator('[data-hostdev="0000:0b:00.0"]').waitFor();
  await hostdevs.locator('[data-hostdev="0000:0b:00.1"]').waitFor();
  const withPci = await xml();
  assert.match(withPci, /<address domain='0x0000' bus='0x0b' slot='0x00' function='0x0'\/>/);
  assert.match(withPci, /<address domain='0x0000' bus='0x0b' slot='0x00' function='0x1'\/>/);

  // USB: this host has none, so the server refuses the device, in its words.
  await hostdevs.getByLabel('USB device', { exact: true }).fill('046d:c52b');
  await hostdevs.getByRole('button', { name: 'Give USB device' }).click();
  const usb = hostdevs.getByRole('alert').filter({ hasText: 'The host device was not changed' });
  await usb.filter({ hasText: '046d:c52b' }).waitFor();
  assert.match(await usb.innerText(), /no USB devices/);
  assert.doesNotMatch(await xml(), /<hostdev mode='subsystem' type='usb'/);

  // A USB rule: a malformed one is refused by the server; a good one kept in the VM's metadata.
  await rules.getByLabel('New rule').fill('not-a-rule');
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await rules.getByRole('alert').filter({ hasText: 'The USB rule was not changed' }).waitFor();
  await rules.getByLabel('New rule').fill(RULE);
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await changed(rules, `Rule ${RULE} added`);
  await rules.locator(`[data-usb-rule="${RULE}"]`).getByText('serial number KEY1').waitFor();
  assert.match(await xml(), /<phyllome:usb-rule vendor=.1050. product=.0407. serial=.KEY1.\/>/);

  await noSerious(page, 'devices');
  await screenshot(page, 'vm-devices');

  // The phone: the same lists, stacked.
  const phone = await open(PHONE);
  await phone.page.locator(`[data-usb-rule="${RULE}"]`).waitFor();
  await phone.page.locator('[data-hostdev="0000:0b:00.1"]').waitFor();
  const overflow = Number(
    await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
  );
  assert.ok(overflow <= 0, `the phone page does not scroll sideways (${overflow}px too wide)`);
  await noSerious(phone.page, 'devices, phone');
  await screenshot(phone.page, 'vm-devices');
  await phone.page.getByLabel('PCI address', { exact: true }).fill('0b:00.0');
  await phone.page.getByRole('button', { name: 'Give PCI device' }).click();
  await phone.page.getByRole('alert').filter({ hasText: 'shares IOMMU group 2' }).waitFor();
  await screenshot(phone.page, 'vm-devices-refused');
  await phone.context.close();

  // Everything removed again from the page, each saying when.
  await nics.getByRole('button', { name: `Remove card ${MAC}` }).click();
  assert.match(await changed(nics, `Removed the card ${MAC}`), /Applies at its next start/);
  await shares.getByRole('button', { name: 'Remove share projects' }).click();
  await changed(shares, `Stopped sharing ${shared}`);
  for (const a of ['0000:0b:00.0', '0000:0b:00.1']) {
    await hostdevs.getByRole('button', { name: `Remove device ${a}` }).click();
    await changed(hostdevs, `Took ${a} (PCI)`);
  }
  await rules.getByRole('button', { name: `Remove rule ${RULE}` }).click();
  await changed(rules, `Rule ${RULE} removed`);
  await rules.getByText('No USB rules.').waitFor();
  await hostdevs.getByText(`No host device is given to ${name}.`).waitFor();
  const left = await xml();
  assert.doesNotMatch(left, new RegExp(MAC));
  assert.doesNotMatch(left, /<filesystem/);
  assert.doesNotMatch(left, /<hostdev/);
  assert.doesNotMatch(left, /usb-rule /);
  await context.close();
});
