import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatRate } from './human-units.js';

describe('human units', () => {
  it('bytes in binary units, at most three significant digits', () => {
    assert.deepEqual([0, 1023, 1536, 10.5 * 2 ** 20, 123.4 * 2 ** 30, 2 ** 40].map(formatBytes), [
      '0 B',
      '1023 B',
      '1.5 KiB',
      '10.5 MiB',
      '123 GiB',
      '1 TiB',
    ]);
  });
  it('durations and rates', () => {
    assert.deepEqual([9, 75, 3725, 90000].map(formatDuration), ['9s', '1m15s', '1h02m', '1d01h']);
    assert.equal(formatRate(2.5, 'steps'), '2.5 steps/s');
  });
});
