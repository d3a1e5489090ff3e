/**
 * The login page in real Chromium against the real server (in-process, real libvirt): a used link
 * says so, a wrong token is refused with the server's message, the token logs in, a one-time link
 * logs in, and logging out returns to the login page. Screenshots at desktop and phone size.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

let api: TestApi;
let b: TestBrowser;
let url: string;
before(async () => {
  api = await testApi();
  url = (await api.listen()).url;
  b = await launchBrowser();
});
after(async () => {
  await b?.close();
  await api?.close();
});

test('a used login link lands on the login page, which says why; the token then logs in', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const context = await b.browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${url}/login?code=already-used-code`);
    await page.getByRole('status').filter({ hasText: 'That login link did not work' }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'login-link-failed');
    await page.getByLabel('API token or one-time code').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Login failed/);
    await page.getByLabel('API token or one-time code').fill(api.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the ?login=failed is gone from the address');
    await context.close();
  }
});

test('a one-time link logs in; logging out shows the login page again', async () => {
  const { context, page } = await loggedIn(b.browser, url, api.sessions.issueCode());
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('API token or one-time code').waitFor();
  const res = await page.request.get(`${url}/api/hosts`);
  assert.equal(res.status(), 401, 'the session is gone on the server too');
  await context.close();
});
