import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStartFailure } from './start-failure.js';

test('a recorded start failure parses back, escapes undone', () => {
  const xml = `<failure xmlns="https://phyllo.me/xmlns/start-failure/1.0" at="2026-12-01T20:00:00.000Z">cannot open &apos;/x&lt;y&gt;&apos; &amp; more</failure>`;
  assert.deepEqual(parseStartFailure(xml), {
    at: '2026-12-01T20:00:00.000Z',
    message: "cannot open '/x<y>' & more",
  });
  assert.equal(parseStartFailure('<other/>'), undefined);
});
