/**
 * Reading the noVNC canvas of the web UI's Console tab in real Chromium: how many of its pixels are
 * lit (the guest drew something), and a wait until some are.
 */
import type { Locator, Page } from 'playwright-core';

/** The part of a canvas element the pixel count reads (this project's Node types have no DOM). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

export interface CanvasPixels {
  width: number;
  height: number;
  /** Pixels that are not (nearly) black. */
  lit: number;
}

/** Polls of waitForPixels: 600 × 200 ms = 120 s (a hang guard: the guest drew nothing, not a speed limit). */
const POLLS = 600;
const POLL_MS = 200;

/** How many pixels of the noVNC canvas in `region` are not black (the guest drew something), read in the page. */
export async function canvasHasPixels(region: Locator): Promise<CanvasPixels> {
  return region.locator('canvas').evaluate((el) => {
    const c = el as unknown as CanvasLike;
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return { width: c.width, height: c.height, lit: 0 };
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! + px[i + 1]! + px[i + 2]! > 60) lit++;
    return { width: c.width, height: c.height, lit };
  });
}

/** Waits until the canvas has lit pixels, and returns its count (lit 0: nothing drawn after 120 s). */
export async function waitForPixels(page: Page, region: Locator): Promise<CanvasPixels> {
  for (let i = 0; ; i++) {
    const r = await canvasHasPixels(region);
    if (r.lit > 0 || i >= POLLS) return r;
    await page.waitForTimeout(POLL_MS);
  }
}
