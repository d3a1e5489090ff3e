import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeXml } from '../xml/serialize.js';
import { hostdevElement, normalPciAddress } from './hostdev-xml.js';
import { nicElement, normalMac } from './nic-xml.js';
import { checkTag, shareElement } from './share-xml.js';

test('NIC XML: a network card with a MAC, a bridge card without', () => {
  assert.equal(
    serializeXml(nicElement({ source: { network: 'default' }, model: 'e1000e', mac: '52:54:00:00:00:01' })),
    `<interface type='network'>\n  <mac address='52:54:00:00:00:01'/>\n  <source network='default'/>\n  <model type='e1000e'/>\n</interface>\n`,
  );
  assert.equal(
    serializeXml(nicElement({ source: { bridge: 'br0' }, model: 'virtio' })),
    `<interface type='bridge'>\n  <source bridge='br0'/>\n  <model type='virtio'/>\n</interface>\n`,
  );
});

test('MAC addresses: lower-cased; malformed and multicast ones refused', () => {
  assert.equal(normalMac(' 52:54:00:AB:cd:EF '), '52:54:00:ab:cd:ef');
  assert.throws(() => normalMac('52-54-00-ab-cd-ef'), /not a MAC address/);
  assert.throws(() => normalMac('03:00:00:00:00:01'), /multicast/);
});

test('share XML and tags', () => {
  assert.equal(
    serializeXml(shareElement({ dir: "/srv/it's", tag: 'data', readonly: true })),
    `<filesystem type='mount' accessmode='passthrough'>\n  <driver type='virtiofs'/>\n  <source dir='/srv/it&apos;s'/>\n  <target dir='data'/>\n  <readonly/>\n</filesystem>\n`,
  );
  assert.equal(checkTag('a'.repeat(36)), 'a'.repeat(36));
  for (const bad of ['', 'a'.repeat(37), 'two words', 'a/b']) assert.throws(() => checkTag(bad), /share tag/);
});

test('PCI addresses: the short form gets domain 0000; hostdev XML in hex', () => {
  assert.equal(normalPciAddress('0B:00.1'), '0000:0b:00.1');
  assert.equal(normalPciAddress('0001:3d:1f.7'), '0001:3d:1f.7');
  for (const bad of ['0b:00', '0b:20.0', '0b:00.8', 'gpu'])
    assert.throws(() => normalPciAddress(bad), /not a PCI address/);
  assert.equal(
    serializeXml(hostdevElement('3d:00.0')),
    `<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n    <address domain='0x0000' bus='0x3d' slot='0x00' function='0x0'/>\n  </source>\n</hostdev>\n`,
  );
});
