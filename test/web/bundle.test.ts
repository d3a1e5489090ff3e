/**
 * Export, import and move in real Chromium against the real server (in-process, the real system daemon,
 * and a second real libvirtd for the move), with a VM of the test guest made through the API:
 * - the VM page's Export tab: the link follows the chosen compression, a running VM's Export is
 *   disabled with the reason, a click downloads NAME.phyllo.tar (a tar tar(1) lists) and shows the job;
 * - the VM list's Import dialog, the upload slowed (Chromium's network emulation) so its progress
 *   shows: a bad file refused in the server's words, an upload cancelled (nothing left on the
 *   server), an upload to the end (the new VM, opened from the dialog);
 * - the same dialog with a VirtualBox OVA: imported through POST /api/vms/import-ova, the result
 *   says what was not carried over;
 * - Move to host… to the second host: the dialog, then where the VM went.
 * Screenshots vm-export, import-progress, import-ova-result, vm-move-dialog (and vm-moved at desktop
 * size) at desktop and phone size; no serious axe violation.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { hostIdOf } from '../../src/server/hosts.js';
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
import { ovaKit } from '../support/ova.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testGuestPaths } from '../support/test-guest.js';
import { IMAGES, writePattern } from '../support/uefi-guest.js';
import { waitFor } from '../support/wait.js';

const name = uniqueName('test-bundle');
const imported = `${name}-imp`;
const fromOva = `${name}-ova`;
const guest = testGuestPaths();
const noSecondHost = secondHostSkip();
const dir = mkdtempSync(join(tmpdir(), 'phyllo-web-bundle-'));
/** A hang guard for waits on the page (a busy machine), not a speed limit. */
const HANG_GUARD_MS = 180_000;
/** The upload's speed in the browser: slow enough to see its progress, 8 MiB/s. */
const UPLOAD_BYTES_PER_SECOND = 8 << 20;

let api: TestApi;
let b: TestBrowser;
let lv: Libvirt;
let url: string;
let hostB: SecondHost | undefined;
let bundle = '';
const pageErrors: string[] = [];

before(async () => {
  if (!noSecondHost) {
    hostB = await startSecondHost({ imagesPool: true });
  }
  api = await testApi({
    uris: ['qemu:///system', ...(hostB ? [hostB.uri] : [])],
    allowedDirs: [guest.dir],
  });
  url = (await api.listen()).url;
  lv = await connect('qemu:///system');
  const res = await api.call('POST', '/api/vms', {
    name,
    os: 'linux',
    memory: '1G',
    vcpus: 1,
    display: 'none',
    diskSize: '64M',
    kernel: guest.kernel,
    initrd: guest.initrd,
    cmdline: 'console=ttyS0 quiet',
  });
  assert.equal(res.statusCode, 201, res.body);
  // Data in the disk, so the uncompressed bundle is some 40 MiB: a few seconds at the slowed upload.
  await writePattern((res.json() as { disk: string }).disk, 0x5a, 4 << 20, 32 << 20);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await api?.close();
  for (const n of [name, imported, `${name}-cut`, fromOva])
    await deleteVm(lv, n, { force: true }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${n}:`, err);
    });
  await lv?.close();
  await hostB?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(viewport: typeof DESKTOP, path: string) {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode(), viewport);
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
  await page.goto(`${url}${path}`);
  return { context, page };
}

async function noSerious(page: Page, where: string) {
  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  assert.deepEqual(await seriousViolations(page), [], where);
}

/** The page's requests go at most `bytesPerSecond` up (Chromium's own network emulation). */
async function slowUpload(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

const vmPage = (vm: string, host = 'local') => `/vms/${host}/${vm}#export`;

test('the Export tab: the link follows the compression, a running VM cannot, a click downloads the bundle', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await open(viewport, vmPage(name));
    await page.locator(`[data-vm="${name}"][data-state="shutoff"]`).waitFor();
    const link = page.getByRole('link', { name: 'Export', exact: true });
    assert.match((await link.getAttribute('href')) ?? '', /\/export\?host=local&compress=zstd$/);
    await page.getByLabel(/^None: a plain tar/).check();
    assert.match((await link.getAttribute('href')) ?? '', /compress=none$/);
    if (hostB) await page.getByRole('button', { name: 'Move to host…' }).waitFor();
    await noSerious(page, `export ${viewport.width}`);
    await screenshot(page, 'vm-export');
    if (viewport === DESKTOP) {
      const download = page.waitForEvent('download');
      await link.click();
      const d = await download;
      assert.equal(d.suggestedFilename(), `${name}.phyllo.tar`);
      bundle = join(dir, d.suggestedFilename());
      await d.saveAs(bundle);
      assert.equal(await d.failure(), null);
      const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).split('\n');
      assert.equal(listing[0], 'manifest.json');
      await page
        .getByRole('status')
        .filter({ hasText: `Exporting ${name}: done` })
        .waitFor();
    }
    await context.close();
  }
  // A running VM: the button is disabled, and says why.
  assert.equal((await api.call('POST', `/api/vms/${name}/start`)).statusCode, 200);
  try {
    const { context, page } = await open(DESKTOP, vmPage(name));
    await page.locator(`[data-vm="${name}"][data-state="running"]`).waitFor();
    const button = page.getByRole('button', { name: 'Export', exact: true });
    assert.equal(await button.isDisabled(), true);
    assert.match(await page.locator('#export-why').innerText(), /Exporting needs .* shut off/);
    assert.equal(await page.getByRole('link', { name: 'Export', exact: true }).count(), 0);
    await context.close();
  } finally {
    await api.call('POST', `/api/vms/${name}/kill`);
  }
});

test('the Import dialog: a bad file refused, an upload with its progress cancelled, then one to the end', async () => {
  assert.ok(bundle, 'the export test saved a bundle');
  const size = statSync(bundle).size;
  assert.ok(size > 30 << 20, `a bundle of ${size} bytes`);
  const bad = join(dir, 'not-a-bundle.phyllo.tar');
  writeFileSync(bad, Buffer.alloc(4096, 0x41));

  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await open(viewport, '/');
    await page.getByRole('heading', { level: 1, name: 'VMs' }).waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a VM' });
    await dialog.waitFor();
    if (viewport === DESKTOP) {
      // Nothing chosen: the form says so before sending anything.
      await dialog.getByRole('button', { name: 'Import' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Choose the bundle file' }).waitFor();
      await dialog.getByLabel('Bundle or OVA file').setInputFiles(bad);
      await dialog.getByRole('button', { name: 'Import' }).click();
      const refused = dialog.getByRole('alert').filter({ hasText: 'The import was refused' });
      await refused.waitFor();
      assert.match(await refused.innerText(), /not a Phyllome bundle|refused/i);
    }
    await slowUpload(page, UPLOAD_BYTES_PER_SECOND);
    await dialog.getByLabel('Bundle or OVA file').setInputFiles(bundle);
    await dialog.getByLabel('New name (optional)').fill(viewport === DESKTOP ? `${name}-cut` : imported);
    await dialog.getByRole('button', { name: 'Import' }).click();
    const bar = dialog.getByRole('progressbar', { name: 'Upload progress' });
    await waitFor('the upload to be under way', async () => {
      const v = Number(await bar.getAttribute('value'));
      return v > 0.1 && v < 0.8 ? true : undefined;
    });
    assert.match(await dialog.getByRole('status').innerText(), /Uploading .*: .* of .* \(\d+%\)/);
    await noSerious(page, `import ${viewport.width}`);
    await screenshot(page, 'import-progress');
    if (viewport === DESKTOP) {
      // Cancel: the browser stops sending, the server cancels the import and removes its files.
      await dialog.getByRole('button', { name: 'Cancel upload' }).click();
      await dialog.getByRole('status').filter({ hasText: 'The upload was cancelled' }).waitFor();
      const job = await waitFor('the import job to end', async () => {
        const j = api.jobs.list().find((x) => x.kind === 'import' && x.vm === `${name}-cut`);
        return j && j.state !== 'running' ? j : undefined;
      });
      assert.equal(job.state, 'cancelled');
      await assert.rejects(lv.domains.lookup(`${name}-cut`));
      assert.deepEqual(
        readdirSync(IMAGES).filter((n) => n.startsWith(`${name}-cut`) || n.startsWith('.phyllo-import-')),
        [],
        'no file left',
      );
    } else {
      await dialog
        .getByRole('status')
        .filter({ hasText: `Imported ${imported}` })
        .waitFor();
      await dialog.getByRole('link', { name: `Open ${imported}` }).click();
      await page.getByRole('heading', { level: 1, name: imported }).waitFor();
    }
    await context.close();
  }
});

test('the Import dialog takes an OVA: the VM made from it, with what was not carried over', async () => {
  const ova = ovaKit(dir).build('virtualbox-7-debian.ovf', 'debian-disk001.vmdk', 'debian 12 (test)');
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await open(viewport, '/');
    await page.getByRole('heading', { level: 1, name: 'VMs' }).waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a VM' });
    await dialog.getByLabel('Bundle or OVA file').setInputFiles(ova);
    await dialog.getByLabel('New name (optional)').fill(viewport === DESKTOP ? fromOva : `${fromOva}-2`);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: `Imported ${viewport === DESKTOP ? fromOva : `${fromOva}-2`}` })
      .waitFor();
    const notCarried = await dialog.getByText(/^Not carried over: /).allInnerTexts();
    assert.ok(
      notCarried.some((t) => /sound/i.test(t)),
      `the sound card is listed as not carried over: ${notCarried.join(' | ')}`,
    );
    await noSerious(page, `import-ova ${viewport.width}`);
    await screenshot(page, 'import-ova-result');
    await context.close();
  }
  const job = api.jobs.list().find((j) => j.kind === 'import-ova' && j.vm === fromOva);
  assert.equal(job?.state, 'done', 'the upload went to /api/vms/import-ova, as a job');
  const xml = await (await lv.domains.lookup(fromOva)).xml();
  assert.match(xml, /<os firmware='efi'>/, "the VirtualBox VM's UEFI came along");
  await deleteVm(lv, `${fromOva}-2`, { force: true });
});

test('Move to host…: the dialog, then where the VM went', { skip: noSecondHost }, async () => {
  const idB = hostIdOf(hostB!.uri);
  // The phone first: the desktop's run moves the VM away.
  for (const viewport of [PHONE, DESKTOP]) {
    const { context, page } = await open(viewport, vmPage(imported));
    await page.locator(`[data-vm="${imported}"][data-state="shutoff"]`).waitFor();
    await page.getByRole('button', { name: 'Move to host…' }).click();
    const dialog = page.getByRole('dialog', { name: `Move ${imported} to another host` });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Destination host').inputValue(), idB);
    await noSerious(page, `move ${viewport.width}`);
    await screenshot(page, 'vm-move-dialog');
    if (viewport === PHONE) {
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await context.close();
      continue;
    }
    await dialog.getByRole('button', { name: `Move to ${idB}` }).click();
    await page.getByRole('heading', { level: 1, name: `${imported} moved to ${idB}` }).waitFor();
    await screenshot(page, 'vm-moved');
    await page.getByRole('link', { name: `Open ${imported} on ${idB}` }).click();
    await page.getByRole('heading', { level: 1, name: imported }).waitFor();
    assert.match(page.url(), new RegExp(`/vms/${idB.replace(/\./g, '\\.')}/${imported}`));
    await context.close();
  }
  await assert.rejects(lv.domains.lookup(imported), 'gone from here');
});
