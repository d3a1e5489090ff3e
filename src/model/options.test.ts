import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCount, validateName } from './options.js';

describe('model options', () => {
  it('parses counts', () => {
    assert.equal(parseCount('--vcpus', '4'), 4);
    assert.equal(parseCount('--vcpus', ' 16 '), 16);
    assert.equal(parseCount('--vcpus', 2), 2);
    for (const bad of ['2.5', '0', 'abc', '-1', '', '1e3', '0x4', 2.5, 0, -3, Number.NaN, 2 ** 60])
      assert.throws(() => parseCount('--vcpus', bad), {
        code: 'invalid-option',
        message: /^--vcpus must be a whole number of at least 1/,
      });
  });
  it('accepts names libvirt and file systems take', () => {
    for (const n of ['win11', 'a', 'Fedora-37_test.1', 'x+y']) validateName(n);
  });
  it('says which character is wrong', () => {
    assert.throws(() => validateName('my vm'), /contains " "/);
    assert.throws(() => validateName('.x'), {
      message: 'The VM name ".x" contains ".", which is not allowed first',
    });
    // "first" only for a character allowed further on: "ü" is allowed nowhere.
    assert.throws(() => validateName('ünï'), {
      message: 'The VM name "ünï" contains "ü", which is not allowed',
    });
  });
});
