/**
 * The bundle's domain.xml: made from a real model output (the golden Windows 11 domain, with what
 * libvirt adds at define: a UUID, a MAC, and an ISO the user gave), it keeps the VM's own part and
 * nothing of the host; read back, hostile documents are refused before anything is made of them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BundleInvalidError } from '../../src/bundle/errors.js';
import { describeVm, descriptionXml, readDescription } from '../../src/bundle/description.js';
import { parseDomainXml } from '../../src/model/domain-xml/parse-domain.js';
import { FIXTURES } from '../model/fixtures.js';

const UUID = '6f1c6b0e-3c1d-4b8e-9a55-8c2f4f0c9e11';
const MAC = '52:54:00:12:34:56';

function definedWindows11(): string {
  return readFileSync(join(FIXTURES, 'golden', 'windows-11-kvm-amd.xml'), 'utf8')
    .replace('<name>', `<uuid>${UUID}</uuid>\n  <name>`)
    .replace(
      '<phyllome:options/>',
      `<phyllome:options><phyllome:option name='iso'>/srv/iso/win11.iso</phyllome:option><phyllome:option name='memory'>8G</phyllome:option></phyllome:options>`,
    )
    .replace("<interface type='network'>", `<interface type='network'>\n      <mac address='${MAC}'/>`);
}

test('a defined Windows 11 VM: its own part kept, the host left out, read back as it was', () => {
  const spec = parseDomainXml(definedWindows11());
  const d = describeVm(spec);
  assert.equal(d.uuid, UUID);
  assert.equal(d.profile, 'windows-11');
  assert.deepEqual(d.options, { memory: '8G' }, 'the ISO path of the source host is not carried');
  assert.deepEqual(
    d.disks,
    [{ target: 'sda', bus: 'sata' }],
    'Windows starts on SATA (no virtio driver yet)',
  );
  assert.deepEqual(d.interfaces, [{ mac: MAC, network: 'default' }]);
  assert.equal(d.memoryKiB, spec.memoryKiB);
  const xml = descriptionXml(d);
  for (const hostOnly of [
    '<emulator',
    '<loader',
    '<nvram',
    '<cpu',
    '<os',
    "type='kvm'",
    '<source file',
    '/var/',
    '/usr/',
  ])
    assert.ok(!xml.includes(hostOnly), `${hostOnly} in\n${xml}`);
  assert.deepEqual(readDescription(xml), d);
  assert.deepEqual(readDescription(`<?xml version='1.0'?>\n${xml}`), d, 'an XML declaration is fine');
});

const base = () => descriptionXml(describeVm(parseDomainXml(definedWindows11())));

function refused(xml: string, why: RegExp) {
  assert.throws(
    () => readDescription(xml),
    (e: unknown) => e instanceof BundleInvalidError && e.code === 'bundle-invalid' && why.test(e.message),
    xml.slice(0, 200),
  );
}

test('external entities, entity references, processing instructions, comments: refused unparsed', () => {
  refused(
    `<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n${base().replace('<name>win11', '<name>&x;')}`,
    /<!DOCTYPE>/,
  );
  refused(
    base()
      .replace('<vcpu>', '<vcpu>&#49;')
      .replace(/<vcpu>&#49;\d+/, '<vcpu>&#49;'),
    /entity reference/,
  );
  refused(base().replace('<domain>', '<domain><?php system("id") ?>'), /processing instruction/);
  refused(base().replace('<devices>', '<devices><!-- hi -->'), /comment or CDATA/);
});

test('host paths and host-only elements are named in the refusal', () => {
  refused(
    base().replace('<devices>', '<devices><emulator>/usr/bin/evil</emulator>'),
    /names an emulator path \(<emulator> in <devices>\)/,
  );
  refused(
    base().replace("<disk device='disk'>", "<disk device='disk'><source file='/etc/shadow'/>"),
    /names a host path \(<source> in <disk>\)/,
  );
  refused(
    base().replace('<vcpu>', '<os><loader>/tmp/x.fd</loader></os><vcpu>'),
    /names host boot settings \(<os> in <domain>\)/,
  );
  refused(
    base().replace(
      '<phyllome:options>',
      "<phyllome:options><phyllome:option name='kernel'>/boot/vmlinuz</phyllome:option>",
    ),
    /names a host path \(the kernel option\)/,
  );
});

test('anything else out of place', () => {
  refused(base().replace('<domain>', "<domain type='kvm'>"), /attribute it may not have: <domain> type/);
  refused(
    base().replace('<devices>', '<devices><hostdev/>'),
    /element it may not have: <hostdev> in <devices>/,
  );
  refused(base().replace(/<uuid>[^<]*<\/uuid>/, '<uuid>not-a-uuid</uuid>'), /UUID that is not allowed/);
  refused(base().replace(/<name>[^<]*<\/name>/, '<name>../../etc</name>'), /name that is not a VM name/);
  refused(base().replace('<vcpu>', '<name>second</name><vcpu>'), /must have one <name> in <domain>, not 2/);
  refused(base().replace(MAC, 'zz:54:00:12:34:56'), /MAC address that is not allowed/);
  refused(base().replace("unit='KiB'", "unit='GiB'"), /not in KiB/);
  refused(base().replace(/xmlns:phyllome='[^']*'/, "xmlns:phyllome='urn:other'"), /another namespace/);
  refused(base().replace("<disk device='disk'>", "<disk device='cdrom'>"), /not a disk in a <disk>/);
  refused(
    base().replace("<interface type='network'>", "<interface type='direct'>"),
    /not on a libvirt network/,
  );
  const many = Array.from(
    { length: 33 },
    (_, i) =>
      `<interface type='network'><mac address='52:54:00:00:00:${(i % 100).toString().padStart(2, '0')}'/><source network='default'/></interface>`,
  ).join('');
  refused(base().replace('</devices>', `${many}</devices>`), /more than 32 devices/);
  refused('<vm/>', /is not a <domain> but a <vm>/);
});

test('USB rules travel in the description, read back strictly', () => {
  const rules = [
    { vendorId: '1050', productId: '0407' },
    { vendorId: '046d', productId: 'c52b', serial: 'A1B2-c3' },
  ];
  const d = describeVm(parseDomainXml(definedWindows11()), rules);
  const xml = descriptionXml(d);
  assert.match(xml, /<phyllome:usb-rules>\s*<phyllome:usb-rule vendor='1050' product='0407'\/>/);
  assert.deepEqual(readDescription(xml).usbRules, rules);
  assert.deepEqual(readDescription(base()).usbRules, [], 'none when the VM has none');
  refused(xml.replace("vendor='1050'", "vendor='10500'"), /USB rule that is not one/);
  refused(
    xml.replace("serial='A1B2-c3'", "serial='x' path='/dev/bus'"),
    /attribute it may not have: <phyllome:usb-rule> path/,
  );
  refused(
    xml.replace('<phyllome:usb-rules>', '<phyllome:usb-rules><phyllome:hostdev/>'),
    /element it may not have: <phyllome:hostdev> in <phyllome:usb-rules>/,
  );
});
