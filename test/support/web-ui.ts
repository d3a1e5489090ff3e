/**
 * Steps on the web UI's pages that several browser tests take: the create wizard up to its resources
 * step and its direct kernel boot fields, a VM page's tab, and the state a console (VNC or serial) shows.
 */
import type { Locator, Page } from 'playwright-core';

/** Opens the create wizard from the nav (/new), picks the linux profile and goes to the resources step. */
export async function wizardToResources(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New VM' }).click();
  await page.getByRole('heading', { level: 1, name: 'New VM' }).waitFor();
  await page.getByRole('radio', { name: /Linux \(kernel 5\.15 or newer\)/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { level: 2, name: 'Resources' }).waitFor();
  await page.locator('li[data-topic="memory"]').waitFor();
}

/** Fills the wizard's advanced fields for a direct kernel boot of the test guest (testGuestPaths()). */
export async function fillDirectKernelBoot(
  page: Page,
  guest: { kernel: string; initrd: string },
  cmdline = 'console=ttyS0 quiet',
): Promise<void> {
  await page.getByText('Advanced: direct kernel boot').click();
  await page.getByLabel('Kernel', { exact: true }).fill(guest.kernel);
  await page.getByLabel('Initramfs').fill(guest.initrd);
  await page.getByLabel('Kernel command line').fill(cmdline);
}

/** A tab of the VM page by its label (Overview, Console, Serial, Clone, Delete …). */
export const vmTab = (page: Page, label: string): Locator =>
  page.getByRole('tab', { name: label, exact: true });

/** Waits until a console region (VNC or serial) shows `state` (connecting, connected, disconnected …). */
export async function waitConsoleState(
  region: Locator,
  state: string,
  opts: { timeout?: number } = {},
): Promise<void> {
  await region.locator(`.console-state[data-state="${state}"]`).waitFor(opts);
}
