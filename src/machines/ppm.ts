import { PhyllomeError } from '../errors.js';

/** An RGB image, 8 bits per channel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes. */
  rgb: Buffer;
}

export class ImageFormatError extends PhyllomeError {
  override name = 'ImageFormatError';
  constructor(what: string) {
    super('screenshot-invalid', `The screenshot libvirt sent is not an image Phyllome reads: ${what}`, {
      hint: 'QEMU sends PPM (P6); report this with your libvirt and QEMU versions.',
    });
  }
}

/** Parses a binary PPM (P6, maxval ≤ 255; what QEMU's screendump writes). */
export function parsePpm(data: Buffer): RgbImage {
  let at = 0;
  const token = (): string => {
    for (;;) {
      while (at < data.length && /\s/.test(String.fromCharCode(data[at]!))) at++;
      if (data[at] !== 0x23) break; // '#' comment to the end of the line
      while (at < data.length && data[at] !== 0x0a) at++;
    }
    const start = at;
    while (at < data.length && !/\s/.test(String.fromCharCode(data[at]!))) at++;
    return data.toString('latin1', start, at);
  };
  if (token() !== 'P6') throw new ImageFormatError('no P6 header');
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw new ImageFormatError('bad width or height');
  if (maxval !== 255) throw new ImageFormatError(`maxval ${maxval} (only 255 is read)`);
  at++; // the single whitespace after maxval
  const rgb = data.subarray(at, at + width * height * 3);
  if (rgb.length !== width * height * 3) throw new ImageFormatError('the pixel data is cut short');
  return { width, height, rgb };
}
