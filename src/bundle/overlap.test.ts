import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PositionalWriter, readAhead } from './overlap.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-overlap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('chunks land at their positions, at most `depth` writes in flight', async () => {
  const fh = await open(join(dir, 'a'), 'w+');
  let inFlight = 0;
  let most = 0;
  const write = fh.write.bind(fh);
  // Counts the writes the file handle is doing at once.
  (fh as { write: unknown }).write = async (...args: Parameters<typeof write>) => {
    most = Math.max(most, ++inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      return await write(...args);
    } finally {
      inFlight--;
    }
  };
  const out = new PositionalWriter(fh, 3);
  for (let i = 7; i >= 0; i--) await out.write(Buffer.alloc(4, 0x30 + i), i * 4);
  await out.flush();
  await fh.close();
  assert.ok(most > 1 && most <= 3, `${most} writes at once`);
  assert.equal(readFileSync(join(dir, 'a'), 'latin1'), '00001111222233334444555566667777');
});

test('the first failure is thrown, by a later write or by flush, and nothing after it is written', async () => {
  const fh = await open(join(dir, 'b'), 'w+');
  const write = fh.write.bind(fh);
  let calls = 0;
  (fh as { write: unknown }).write = async (...args: Parameters<typeof write>) => {
    if (++calls === 2) throw new Error('disk full');
    return write(...args);
  };
  const out = new PositionalWriter(fh, 2);
  const results = await Promise.allSettled(
    [0, 1, 2, 3].map(async (i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      await out.write(Buffer.from('x'), i);
    }),
  );
  await assert.rejects(out.flush(), /disk full/);
  assert.ok(
    results.some((r) => r.status === 'rejected'),
    'a write after the failure is refused',
  );
  await fh.close();
  assert.equal(calls, 2, 'no write was tried after the failure');
});

test('readAhead yields every item in order', async () => {
  async function* items() {
    for (let i = 0; i < 5; i++) yield i;
  }
  const got: number[] = [];
  for await (const i of readAhead(items())) got.push(i);
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});
