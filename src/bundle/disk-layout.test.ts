import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { consumed } from './chunk-pool.js';
import { segmentBytes, type DataSegment } from './disk-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-segments-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'image');
const bytes = randomBytes(10_000);
writeFileSync(file, bytes);
// Three segments, the last one shorter than a chunk.
const segments: DataSegment[] = [
  { offset: 0, length: 3000, file, fileOffset: 100 },
  { offset: 8192, length: 4000, file, fileOffset: 5000 },
  { offset: 20_000, length: 700, file, fileOffset: 9300 },
];
const expected = Buffer.concat(segments.map((s) => bytes.subarray(s.fileOffset, s.fileOffset + s.length)));

test('chunks given back are read into again, and each chunk held its bytes while it was used', async () => {
  const seen: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of segmentBytes(segments, 1024)) {
    buffers.add(chunk.buffer);
    seen.push(Buffer.from(chunk));
    consumed(chunk);
  }
  assert.deepEqual(Buffer.concat(seen), expected);
  assert.equal(buffers.size, 1, 'one buffer, given back after each chunk, served every read');
});

test('chunks kept without being given back are never overwritten', async () => {
  const kept: Buffer[] = [];
  for await (const chunk of segmentBytes(segments, 1024)) kept.push(chunk);
  assert.deepEqual(Buffer.concat(kept), expected);
  assert.equal(new Set(kept.map((c) => c.buffer)).size, kept.length);
});
