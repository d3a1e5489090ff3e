import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unitBytes } from './ovf-units.js';

test('the units VMware, VirtualBox and the CIM schema write are sizes in bytes', () => {
  assert.equal(unitBytes('byte * 2^20'), 2 ** 20);
  assert.equal(unitBytes('byte*2^30'), 2 ** 30);
  assert.equal(unitBytes('MegaBytes'), 2 ** 20);
  assert.equal(unitBytes('GigaBytes'), 2 ** 30);
  assert.equal(unitBytes('byte * 1024^2'), 2 ** 20);
  assert.equal(unitBytes('byte * 10^6'), 10 ** 6);
  assert.equal(unitBytes('byte'), 1);
  assert.equal(unitBytes(undefined), 1);
  assert.equal(unitBytes(''), 1);
});

test('a unit that is not bytes is not taken for one', () => {
  assert.equal(unitBytes('hertz * 10^6'), undefined);
  assert.equal(unitBytes('percent'), undefined);
  assert.equal(unitBytes('byte * 2^2000'), undefined);
});
