import assert from 'node:assert/strict';
import { PhyllomeError } from '../../src/errors.js';

/** Rejects with a PhyllomeError of that code whose message (and hint, when given) match. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  message: RegExp,
  hint?: RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}
