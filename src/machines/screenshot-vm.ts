import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../errors.js';
import { basename, dirname, join } from 'node:path';
import type { Libvirt } from '../libvirt/index.js';
import { findVm } from './find-vm.js';
import { encodePng, pngSize } from './png.js';
import { parsePpm, type RgbImage } from './ppm.js';
import { notRunning } from './power-rules.js';

export interface ScreenshotResult {
  name: string;
  file: string;
  width: number;
  height: number;
  bytes: number;
  /** What libvirt sent (image/x-portable-pixmap from QEMU). */
  sourceMime: string | null;
}

/** The VM's display as PNG bytes, with its size and what libvirt sent. */
export interface ScreenCapture {
  name: string;
  png: Buffer;
  width: number;
  height: number;
  /** What libvirt sent (image/x-portable-pixmap from QEMU). */
  sourceMime: string | null;
}

/**
 * The VM's display as a PNG: libvirt's screenshot stream (PNG from QEMU 7.1+, kept as it is; PPM
 * from older QEMU, converted). Only a running or paused VM has a display (`vm-wrong-state` otherwise).
 */
export async function captureScreen(lv: Libvirt, name: string): Promise<ScreenCapture> {
  const dom = await findVm(lv, name);
  const { state } = await dom.state();
  const refused = notRunning(dom.name, state, 'a screenshot');
  if (refused) throw refused;
  const { mime, stream } = await dom.screenshot();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  // QEMU 7.1 and later give libvirt PNG already; older ones PPM, converted here.
  const data = Buffer.concat(chunks);
  const asPng = pngSize(data);
  const img = asPng ?? parsePpm(data);
  const png = asPng ? data : encodePng(img as RgbImage);
  return { name: dom.name, png, width: img.width, height: img.height, sourceMime: mime };
}

/**
 * Saves the VM's display as a PNG (`captureScreen`). Written to a temporary file beside `file` and
 * renamed over it, so `file` is never half-written.
 */
export async function screenshotVm(lv: Libvirt, name: string, file: string): Promise<ScreenshotResult> {
  const folder = dirname(file);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new InvalidInputError(`Cannot write ${file}: the folder ${folder} does not exist`, {
      hint: 'Create the folder first, or give a path in an existing one.',
    });
  const shot = await captureScreen(lv, name);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, shot.png, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return {
    name: shot.name,
    file,
    width: shot.width,
    height: shot.height,
    bytes: shot.png.length,
    sourceMime: shot.sourceMime,
  };
}
