import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import { encodePng } from './png.js';
import { parsePpm } from './ppm.js';

/** Decodes what encodePng writes (filter Up only), checking every chunk's CRC. */
function decode(png: Buffer): { width: number; height: number; rgb: Buffer } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(
      png.readUInt32BE(at + 8 + len),
      crc32(png.subarray(at + 4, at + 8 + len)) >>> 0,
      `${type} CRC`,
    );
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const rgb = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (stride + 1)], 2);
    for (let x = 0; x < stride; x++)
      rgb[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + (y ? rgb[(y - 1) * stride + x]! : 0)) & 0xff;
  }
  return { width, height, rgb };
}

test('a PPM with a comment becomes a PNG that decodes to the same pixels', () => {
  const pixels = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 7, 8, 9]);
  const ppm = Buffer.concat([Buffer.from('P6\n# qemu\n3 2\n255\n'), pixels]);
  const img = parsePpm(ppm);
  assert.deepEqual([img.width, img.height], [3, 2]);
  const back = decode(encodePng(img));
  assert.deepEqual([back.width, back.height], [3, 2]);
  assert.deepEqual([...back.rgb], [...pixels]);
});

test('a cut-short or non-P6 image is a typed error', () => {
  assert.throws(() => parsePpm(Buffer.from('P6 4 4 255\nabc')), { code: 'screenshot-invalid' });
  assert.throws(() => parsePpm(Buffer.from('P3 1 1 255\n0 0 0')), { code: 'screenshot-invalid' });
});

test('pngSize reads IHDR, and refuses what is not a PNG', async () => {
  const { pngSize } = await import('./png.js');
  const png = encodePng({ width: 5, height: 7, rgb: Buffer.alloc(5 * 7 * 3) });
  assert.deepEqual(pngSize(png), { width: 5, height: 7 });
  assert.equal(pngSize(Buffer.from('P6\n1 1\n255\n...')), undefined);
});
