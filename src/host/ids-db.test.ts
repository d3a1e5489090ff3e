import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdsDb } from './ids-db.js';
import { deviceNames } from './pci.js';

const TEXT = `# comment
10de  NVIDIA Corporation
\t2484  GA104 [GeForce RTX 3070]
\t\t1043 87b8  TUF RTX 3070
\t228b  GA104 High Definition Audio Controller
10ec  Realtek Semiconductor Co., Ltd.
\t8125  RTL8125 2.5GbE Controller
C 03  Display controller
\t00  VGA compatible controller
\t\t00  VGA controller
\t02  3D controller
C 0c  Serial bus controller
\t03  USB controller
\t\t30  XHCI
`;

test('pci.ids: vendor, device and class names', () => {
  const db = new IdsDb(TEXT, 'test');
  assert.equal(db.vendor('10de'), 'NVIDIA Corporation');
  assert.equal(db.vendor('10DE'), 'NVIDIA Corporation');
  assert.equal(db.device('10de', '228b'), 'GA104 High Definition Audio Controller');
  assert.equal(db.device('10ec', '8125'), 'RTL8125 2.5GbE Controller');
  assert.equal(db.device('10ec', '2484'), undefined);
  assert.equal(db.vendor('1234'), undefined);
  assert.deepEqual(db.className('0c', '03', '30'), ['Serial bus controller', 'USB controller', 'XHCI']);
  assert.deepEqual(db.className('03', '02'), ['Display controller', '3D controller']);
  assert.deepEqual(db.className('ff'), []);
});

test('names fall back to readable ones without pci.ids', () => {
  const n = deviceNames(undefined, '10de', '2484', 0x030000);
  assert.equal(n.vendorName, 'NVIDIA');
  assert.equal(n.className, 'VGA compatible controller');
  assert.equal(n.deviceName, 'VGA compatible controller [10de:2484]');
  assert.equal(deviceNames(undefined, 'abcd', '0001', 0x120000).vendorName, 'Vendor abcd');
});

test('a garbled ids file gives no names and no exception', () => {
  const db = new IdsDb('\u0000\u0001garbage\n\t\tnot ids\nC', 'garbled');
  assert.equal(db.vendor('10de'), undefined);
  assert.equal(db.device('10de', '2484'), undefined);
  assert.deepEqual(db.className('03', '00'), []);
});
