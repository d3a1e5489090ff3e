import { crc32, deflateSync } from 'node:zlib';
import type { RgbImage } from './ppm.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes an RGB image as PNG (8-bit truecolour, no interlace), each row filtered with "Up" (good for
 * screens: runs of identical rows) and deflated by node:zlib. See docs/dependencies.md for why this is
 * not a library.
 */
export function encodePng(img: RgbImage): Buffer {
  const { width, height, rgb } = img;
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const out = y * (stride + 1);
    raw[out] = 2; // filter: Up
    const row = y * stride;
    for (let x = 0; x < stride; x++)
      raw[out + 1 + x] = (rgb[row + x]! - (y ? rgb[row - stride + x]! : 0)) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Width and height from a PNG's IHDR, or undefined when `data` is not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  if (
    data.length < 33 ||
    !data.subarray(0, 8).equals(SIGNATURE) ||
    data.toString('latin1', 12, 16) !== 'IHDR'
  )
    return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
