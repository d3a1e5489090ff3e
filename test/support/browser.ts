/**
 * Real Chromium for the web UI's end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser download), headless, with the flags that keep it off the network (this machine refuses
 * outside connections; Chromium would otherwise try Google's services at every start).
 * Screenshots go under test-output/screenshots (or $PHYLLO_SCREENSHOTS), named PAGE-WxH.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { recordSecret } from './secret-log.js';

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
);
export const SCREENSHOTS = process.env.PHYLLO_SCREENSHOTS ?? join(ROOT, 'test-output', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    // Playwright gives the browser a new empty profile in a temporary folder, and removes it.
    close: () => browser.close(),
  };
}

/**
 * A browser context logged in to the server at `url` through a one-time login link, as a user opens
 * the link `phyllo serve` prints; `code` is a fresh code (Sessions.issueCode()).
 */
export async function loggedIn(
  browser: Browser,
  url: string,
  code: string,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  recordSecret(code);
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${url}/login?code=${code}`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { context, page };
}

/** Saves a full-page screenshot as NAME-WxH.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const v = page.viewportSize() ?? DESKTOP;
  const file = join(SCREENSHOTS, `${name}-${v.width}x${v.height}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The serious and critical axe-core violations of the page as it is now (empty: none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
