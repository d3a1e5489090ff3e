import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { child } from '../xml/node.js';
import { hasSharedMemory, withDeviceAdded, withDeviceRemoved, withSharedMemory } from './domain-edit.js';
import { shareElement } from './share-xml.js';

const DOMAIN = `<domain type='kvm'><name>a</name><memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>1048576</currentMemory><vcpu>1</vcpu><devices><disk type='file'/></devices></domain>`;

test('shared memory goes right after currentMemory, once; other backing settings stay', () => {
  const d = withSharedMemory(parseXml(DOMAIN));
  assert.deepEqual(
    d.children.map((c) => c.name),
    ['name', 'memory', 'currentMemory', 'memoryBacking', 'vcpu', 'devices'],
  );
  assert.ok(hasSharedMemory(d));
  assert.equal(withSharedMemory(d), d, 'already shared: the same tree');
  const huge = parseXml(
    DOMAIN.replace('<vcpu>', '<memoryBacking><hugepages/><access mode="private"/></memoryBacking><vcpu>'),
  );
  assert.equal(hasSharedMemory(huge), false);
  assert.deepEqual(
    child(withSharedMemory(huge), 'memoryBacking')?.children.map((c) => [c.name, c.attrs]),
    [
      ['hugepages', {}],
      ['source', { type: 'memfd' }],
      ['access', { mode: 'shared' }],
    ],
  );
});

test('a device is added at the end of <devices> and removed by identity; the input is left alone', () => {
  const d = parseXml(DOMAIN);
  const before = serializeXml(d);
  const share = shareElement({ dir: '/srv/a', tag: 'a', readonly: false });
  const added = withDeviceAdded(d, share);
  assert.deepEqual(
    child(added, 'devices')?.children.map((c) => c.name),
    ['disk', 'filesystem'],
  );
  assert.equal(serializeXml(d), before);
  const fs = child(added, 'devices')?.children[1];
  assert.ok(fs);
  assert.deepEqual(
    child(withDeviceRemoved(added, fs), 'devices')?.children.map((c) => c.name),
    ['disk'],
  );
});
