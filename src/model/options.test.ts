import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCount, parseSizeMiB, validateName } from './options.js';

describe('model options', () => {
  it('parses sizes into MiB', () => {
    assert.equal(parseSizeMiB('--memory', '4G', 'M'), 4096);
    assert.equal(parseSizeMiB('--memory', '4GiB', 'M'), 4096);
    assert.equal(parseSizeMiB('--memory', '1.5g', 'M'), 1536);
    assert.equal(parseSizeMiB('--memory', '512', 'M'), 512);
    assert.equal(parseSizeMiB('--disk-size', '64', 'G'), 65536);
    assert.equal(parseSizeMiB('--memory', 2048, 'M'), 2048);
    assert.throws(() => parseSizeMiB('--memory', '4 apples', 'M'), /--memory must be a size/);
    assert.throws(() => parseSizeMiB('--memory', '0', 'M'), /larger than zero/);
  });
  it('parses counts', () => {
    assert.equal(parseCount('--vcpus', '4'), 4);
    assert.throws(() => parseCount('--vcpus', '2.5'), /whole number/);
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
