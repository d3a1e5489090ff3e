import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { buildDomainXml } from '../model/domain-xml/build-domain.js';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';
import { dataDisks, imagesNeeded, pointDiskAt, readChains, writeChains } from './disk-chain.js';

const DOMAIN = `<domain type='qemu'><name>web</name>
  <metadata><phyllome:vm xmlns:phyllome="https://phyllo.me/xmlns/vm/1.0"><phyllome:profile>linux</phyllome:profile>
  <phyllome:options><phyllome:option name="disk-image">/img/mine.raw</phyllome:option></phyllome:options></phyllome:vm></metadata>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/img/mine.raw'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='sda' bus='sata'/><readonly/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/web-data.qcow2'/><target dev='vdb' bus='virtio'/></disk>
  </devices></domain>`;

test('data disks leave out CD-ROMs; a disk without a record stands on nothing, and the --disk-image one is not ours', () => {
  const tree = parseXml(DOMAIN);
  assert.deepEqual(
    dataDisks(tree).map((d) => [d.target, d.path, d.format]),
    [
      ['vda', '/img/mine.raw', 'raw'],
      ['vdb', '/img/web-data.qcow2', 'qcow2'],
    ],
  );
  assert.deepEqual(readChains(tree), {
    disks: [
      { target: 'vda', path: '/img/mine.raw', owned: false, bases: [] },
      { target: 'vdb', path: '/img/web-data.qcow2', owned: true, bases: [] },
    ],
    snapshots: [],
  });
});

test('chains and snapshots written into our metadata read back the same, beside the options, after a round trip', () => {
  const tree = parseXml(DOMAIN);
  const [vda] = dataDisks(tree);
  pointDiskAt(vda!.node, '/img/web-vda-1.qcow2');
  const meta = {
    disks: [
      {
        target: 'vda',
        path: '/img/web-vda-1.qcow2',
        owned: true,
        bases: [{ path: '/img/mine.raw', owned: false, from: '0b5c2f7e-1111-2222-3333-444455556666' }],
      },
      { target: 'vdb', path: '/img/web-data.qcow2', owned: true, bases: [] },
    ],
    snapshots: [
      {
        name: 's1',
        created: '2026-12-01T20:00:00.000Z',
        dir: '/snap/u/s1',
        disks: [{ target: 'vda', image: { path: '/img/mine.raw', owned: false }, bases: [] }],
        nvram: '/snap/u/s1/VARS.fd',
      },
    ],
  };
  writeChains(tree, meta);
  const again = parseXml(serializeXml(tree));
  assert.deepEqual(readChains(again), meta);
  assert.match(serializeXml(again), /<phyllome:option name='disk-image'>\/img\/mine.raw</);
  assert.match(
    serializeXml(again),
    /<phyllome:base path='\/img\/mine.raw' owned='no' from='0b5c2f7e-1111-2222-3333-444455556666'\/>/,
  );
  assert.match(
    serializeXml(again),
    /<driver name='qemu' type='qcow2'\/>\s*<source file='\/img\/web-vda-1.qcow2'/,
  );
  assert.deepEqual(
    imagesNeeded(meta).map((l) => l.path),
    ['/img/web-vda-1.qcow2', '/img/mine.raw', '/img/web-data.qcow2'],
  );
});

test('a VM made elsewhere gets our metadata element; a record whose disk was moved since is not trusted', () => {
  const tree = parseXml(
    `<domain type='qemu'><name>x</name><devices><disk type='file' device='disk'><source file='/a.qcow2'/><target dev='vda'/></disk></devices></domain>`,
  );
  const chain = { target: 'vda', path: '/b.qcow2', owned: true, bases: [{ path: '/a.qcow2', owned: true }] };
  writeChains(tree, { disks: [chain], snapshots: [] });
  assert.match(serializeXml(tree), /xmlns:phyllome='https:\/\/phyllo.me\/xmlns\/vm\/1.0'/);
  // The disk still names /a.qcow2 (someone edited it): the record of /b.qcow2 does not apply.
  assert.deepEqual(readChains(parseXml(serializeXml(tree))).disks, [
    { target: 'vda', path: '/a.qcow2', owned: true, bases: [] },
  ]);
  pointDiskAt(dataDisks(tree)[0]!.node, '/b.qcow2');
  assert.deepEqual(readChains(parseXml(serializeXml(tree))).disks, [chain]);
});

test("the model's parse and build keep the chain records (a VM edited through the model keeps its bases)", () => {
  const tree = parseXml(DOMAIN);
  const meta = {
    disks: [
      { target: 'vda', path: '/img/mine.raw', owned: false, bases: [] },
      {
        target: 'vdb',
        path: '/img/web-data.qcow2',
        owned: true,
        bases: [{ path: '/img/base.qcow2', owned: true }],
      },
    ],
    snapshots: [],
  };
  writeChains(tree, meta);
  const rebuilt = buildDomainXml(parseDomainXml(serializeXml(tree)));
  assert.deepEqual(readChains(parseXml(rebuilt)), meta);
});
