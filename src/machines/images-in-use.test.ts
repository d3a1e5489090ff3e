import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml } from '../xml/parse.js';
import { readChains } from './disk-chain.js';
import { dependentsOf, imagesOfXml, ownImages, type DomainImages } from './images-in-use.js';

// What the domains look like after `vm clone web web2`, `vm snapshot create web2 s1`, `vm clone web2 web3`,
// plus a VM someone made by hand on web's current image (running: its live XML shows the chain) and a VM
// that shares web's disk (not a clone).
const WEB = '11111111-0000-0000-0000-000000000001';
const WEB2 = '11111111-0000-0000-0000-000000000002';
const WEB3 = '11111111-0000-0000-0000-000000000003';

const disk = (path: string, inner = '') =>
  `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${path}'/>${inner}<target dev='vda' bus='virtio'/></disk>`;
const domain = (name: string, uuid: string, devices: string, records = '') =>
  `<domain type='qemu'><name>${name}</name><uuid>${uuid}</uuid><metadata>` +
  `<phyllome:vm xmlns:phyllome="https://phyllo.me/xmlns/vm/1.0"><phyllome:profile>linux</phyllome:profile>${records}</phyllome:vm>` +
  `</metadata><devices>${devices}</devices></domain>`;

const base = (path: string, from?: string) =>
  `<phyllome:base path="${path}"${from ? ` from="${from}"` : ''}/>`;
/** A VM as Phyllome leaves it: one disk and its chain record (`bases` nearest first), then `more` records. */
const recorded = (name: string, uuid: string, path: string, bases: string, devices = '', more = '') =>
  domain(
    name,
    uuid,
    disk(path) + devices,
    `<phyllome:disks><phyllome:disk target="vda" path="${path}">${bases}</phyllome:disk></phyllome:disks>${more}`,
  );
// web2's image since `vm clone web2 web3` stands, like web3's, on its frozen ddd, then bbb (frozen by s1).
const WEB2_BASES =
  base('/img/web2-vda-ddd.qcow2', WEB2) + base('/img/web2-vda-bbb.qcow2') + base('/img/web.qcow2', WEB);

const FIXTURES = {
  web: recorded(
    'web',
    WEB,
    '/img/web-vda-aaa.qcow2',
    base('/img/web.qcow2', WEB),
    `<disk type='file' device='cdrom'><source file='/iso/debian.iso'/><target dev='sda' bus='sata'/><readonly/></disk>`,
  ),
  web2: recorded(
    'web2',
    WEB2,
    '/img/web2-vda-eee.qcow2',
    WEB2_BASES,
    '',
    `<phyllome:snapshots><phyllome:snapshot name="s1" created="2026-12-01T20:00:00.000Z" dir="/snap/${WEB2}/s1">
       <phyllome:disk target="vda" image="/img/web2-vda-bbb.qcow2">${base('/img/web.qcow2', WEB)}</phyllome:disk>
     </phyllome:snapshot></phyllome:snapshots>`,
  ),
  web3: recorded('web3', WEB3, '/img/web3-vda-fff.qcow2', WEB2_BASES),
  hand: `<domain type='qemu'><name>hand</name><uuid>11111111-0000-0000-0000-000000000004</uuid><devices>${disk('/img/hand.qcow2')}</devices></domain>`,
  handLive: `<domain type='qemu' id='7'><name>hand</name><uuid>11111111-0000-0000-0000-000000000004</uuid><devices>${disk(
    '/img/hand.qcow2',
    `<backingStore type='file'><format type='qcow2'/><source file='/img/web-vda-aaa.qcow2'/><backingStore type='file'><format type='qcow2'/><source file='/img/web.qcow2'/><backingStore/></backingStore></backingStore>`,
  )}</devices></domain>`,
  shares: `<domain type='qemu'><name>shares</name><uuid>11111111-0000-0000-0000-000000000005</uuid><devices>${disk('/img/web-vda-aaa.qcow2', '<shareable/>')}</devices></domain>`,
};

const xml = (s: string) => parseXml(s);
const uuidOf = (s: string) => /<uuid>([^<]+)</.exec(s)![1]!;
const host: DomainImages[] = [
  imagesOfXml('web', WEB, xml(FIXTURES.web)),
  imagesOfXml('web2', WEB2, xml(FIXTURES.web2)),
  imagesOfXml('web3', WEB3, xml(FIXTURES.web3)),
  imagesOfXml('hand', uuidOf(FIXTURES.hand), xml(FIXTURES.hand), xml(FIXTURES.handLive)),
  imagesOfXml('shares', uuidOf(FIXTURES.shares), xml(FIXTURES.shares)),
];
const dependents = (name: keyof typeof FIXTURES, uuid: string) =>
  dependentsOf(
    uuid,
    ownImages(uuid, readChains(xml(FIXTURES[name]))),
    host.filter((d) => d.uuid !== uuid),
  );

describe('images in use: what each domain needs, from its XML', () => {
  it('every disk (the CD-ROM too) is current; the records give the bases, with whose image each was', () => {
    assert.deepEqual(host[0], {
      name: 'web',
      uuid: WEB,
      disks: ['/img/web-vda-aaa.qcow2', '/iso/debian.iso'],
      under: [{ path: '/img/web.qcow2', from: WEB }],
    });
    assert.deepEqual(host[1]!.under, [
      { path: '/img/web2-vda-ddd.qcow2', from: WEB2 },
      { path: '/img/web2-vda-bbb.qcow2' },
      { path: '/img/web.qcow2', from: WEB },
    ]);
  });

  it('a running VM made elsewhere: its live XML’s backingStore chain', () => {
    assert.deepEqual(host[3], {
      name: 'hand',
      uuid: uuidOf(FIXTURES.hand),
      disks: ['/img/hand.qcow2'],
      under: [{ path: '/img/web-vda-aaa.qcow2' }, { path: '/img/web.qcow2' }],
    });
  });
});

describe('dependents: the VMs standing on a VM’s images', () => {
  it('the source lists its clones, the clone of a clone, and a VM made by hand on its image; not one sharing its disk', () => {
    assert.deepEqual(dependents('web', WEB), ['web2', 'web3', 'hand']);
  });

  it('a clone lists its own clones only: not its source, nor the source’s other clones', () => {
    assert.deepEqual(dependents('web2', WEB2), ['web3']);
    assert.deepEqual(dependents('web3', WEB3), []);
  });

  it('a VM’s own images: its disks, its snapshots’ images, and the bases frozen from it, not the ones of others', () => {
    assert.deepEqual(
      [...ownImages(WEB2, readChains(xml(FIXTURES.web2)))],
      ['/img/web2-vda-eee.qcow2', '/img/web2-vda-bbb.qcow2', '/img/web2-vda-ddd.qcow2'],
    );
  });

  it('a VM made elsewhere, with no records: what stands on its current image (here nothing)', () => {
    const hand = uuidOf(FIXTURES.hand);
    assert.deepEqual(dependentsOf(hand, ownImages(hand, readChains(xml(FIXTURES.hand))), host), []);
  });
});
