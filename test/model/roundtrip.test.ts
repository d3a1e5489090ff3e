import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildDomainXml } from '../../src/model/domain-xml/build-domain.js';
import { parseDomainXml } from '../../src/model/domain-xml/parse-domain.js';
import { FIXTURES } from './fixtures.js';
import { goldenCases } from './golden-cases.js';

describe('XML ↔ spec round trip', () => {
  const golden = goldenCases().map((c) => c.file);
  it('reads one golden file per golden case', () =>
    assert.deepEqual(
      readdirSync(join(FIXTURES, 'golden'))
        .filter((f) => f.endsWith('.xml'))
        .sort(),
      [...golden].sort(),
    ));
  for (const f of golden)
    it(f, () => {
      const xml = readFileSync(join(FIXTURES, 'golden', f), 'utf8');
      const spec = parseDomainXml(xml);
      // The parser understood every element the builder writes: nothing was kept as unknown XML.
      assert.deepEqual(
        [
          spec.extra,
          spec.devices.extra,
          spec.os.extra,
          spec.features.extra,
          spec.cpu.extra,
          spec.metadata.extra,
        ],
        [[], [], [], [], [], []],
      );
      // XML → spec → XML is the same text, and spec → XML → spec the same spec.
      const rebuilt = buildDomainXml(spec);
      assert.equal(rebuilt, xml);
      assert.deepEqual(parseDomainXml(rebuilt), spec);
    });

  it('exercises every element and value the builder can write in some golden file', () => {
    const all = golden.map((f) => readFileSync(join(FIXTURES, 'golden', f), 'utf8')).join('\n');
    const expected = [
      "<domain type='kvm'>",
      "<domain type='qemu'>",
      '<libosinfo:os ',
      '<phyllome:option ',
      '<memoryBacking>',
      "<os firmware='efi'>",
      "<feature enabled='yes' name='secure-boot'/>",
      "<feature enabled='no' name='secure-boot'/>",
      "<loader secure='yes'/>",
      '<kernel>',
      '<initrd>',
      '<cmdline>',
      "<boot dev='cdrom'/>",
      "<hyperv mode='custom'>",
      "<stimer state='on'/>",
      "<vmport state='off'/>",
      "<smm state='on'/>",
      "<cpu mode='host-passthrough'",
      "<cpu mode='host-model'",
      "<cpu mode='maximum'",
      "<feature policy='require' name='vmx'/>",
      "threads='2'",
      "<timer name='kvmclock' present='yes'/>",
      "<timer name='hypervclock' present='yes'/>",
      "<clock offset='localtime'>",
      "<suspend-to-mem enabled='yes'/>",
      "bus='virtio'/>",
      "bus='sata'/>",
      "bus='ide'/>",
      "device='cdrom'",
      '<readonly/>',
      "<interface type='user'>",
      "<backend type='passt'/>",
      "<source network='default'/>",
      "<model type='e1000e'/>",
      "<model type='e1000'/>",
      "<model type='e1000-82545em'/>",
      "<channel type='spicevmc'>",
      '<log file=',
      "<input type='keyboard' bus='virtio'/>",
      "<input type='tablet' bus='usb'/>",
      "<tpm model='tpm-crb'>",
      "<graphics type='vnc' autoport='yes'>",
      "<listen type='socket'/>",
      "<listen type='none'/>",
      "<gl enable='yes'",
      "<acceleration accel3d='yes'/>",
      "<model type='none'",
      "freePageReporting='on'",
      "<memballoon model='none'/>",
      "<rng model='virtio'>",
    ];
    for (const e of expected) assert.ok(all.includes(e), `no golden file has ${e}`);
  });

  it('keeps unknown elements (as libvirt writes them back) through a round trip', () => {
    const xml = readFileSync(join(FIXTURES, 'roundtrip', 'with-unknown.xml'), 'utf8');
    const spec = parseDomainXml(xml);
    assert.deepEqual(
      spec.extra.map((e) => e.name),
      ['iothreads', 'seclabel'],
    );
    assert.deepEqual(
      spec.devices.extra.map((e) => e.name),
      ['sound', 'controller', 'video'],
    );
    assert.deepEqual(
      spec.os.extra.map((e) => e.name),
      ['bootmenu'],
    );
    assert.deepEqual(
      spec.features.extra.map((e) => e.name),
      ['pae'],
    );
    assert.deepEqual(
      spec.cpu.extra.map((e) => e.name),
      ['cache'],
    );
    assert.deepEqual(
      spec.devices.disks[0]?.extra.map((e) => e.name),
      ['address'],
    );
    assert.deepEqual(
      spec.metadata.extra.map((e) => e.name),
      ['other:thing'],
    );
    assert.equal(spec.metadata.phyllome?.profile, 'linux');
    assert.equal(spec.metadata.libosinfoId, 'http://libosinfo.org/linux/2022');
    const out = buildDomainXml(spec);
    for (const needle of [
      '<iothreads>2</iothreads>',
      "<seclabel type='dynamic' model='dac' relabel='yes'/>",
      "<address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>",
      "<sound model='ich9'/>",
      "<bootmenu enable='yes'/>",
      '<pae/>',
      "<cache mode='passthrough'/>",
      "<other:thing xmlns:other='urn:x'>kept &amp; escaped</other:thing>",
      "<controller type='pci' index='0' model='pcie-root'>",
      "<model type='qxl' ram='65536'/>",
    ])
      assert.ok(out.includes(needle), `missing ${needle}`);
    assert.equal(buildDomainXml(parseDomainXml(out)), out, 'stable after one pass');
  });
});
