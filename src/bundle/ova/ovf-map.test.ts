import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PhyllomeError } from '../../errors.js';
import { mapOvf, macOf } from './ovf-map.js';
import { parseOvf } from './ovf-parse.js';

/** test/fixtures/ova, from dist/src/bundle/ova/. */
export const OVA_FIXTURES = new URL('../../../../test/fixtures/ova/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, OVA_FIXTURES), 'utf8');
const kinds = (p: ReturnType<typeof mapOvf>) => p.notCarried.map((n) => n.kind);

function fails(f: () => unknown, code: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('VirtualBox 7 (OVF 1.0 with vbox:Machine)', () => {
  const d = parseOvf(fixture('virtualbox-7-debian.ovf'));
  const p = mapOvf(d);

  it('reads its vendor, name, OS type, CPUs, memory in MegaBytes and disk capacity in bytes', () => {
    assert.equal(d.vendor, 'virtualbox');
    assert.equal(p.sourceName, 'debian 12 (test)');
    assert.deepEqual(d.os, { cimId: 96, description: 'Debian12_64', vboxType: 'Debian12_64' });
    assert.equal(p.os.id, 'linux');
    assert.match(p.os.reason, /Debian 12 .*VirtualBox OS type "Debian12_64"/);
    assert.equal(p.vcpus, 2);
    assert.equal(p.memoryMiB, 1536);
    assert.deepEqual(p.disk, {
      diskId: 'vmdisk1',
      href: 'debian-disk001.vmdk',
      capacityBytes: 16 * 2 ** 20,
      controller: 'SATA/NVMe (AHCI)',
    });
  });

  it('takes UEFI and the TPM from vbox:Machine, and the first NIC with its MAC', () => {
    assert.equal(p.firmware, 'efi');
    assert.match(p.firmwareFrom, /VirtualBox's firmware type "EFI"/);
    assert.equal(p.tpm, true);
    assert.equal(p.secureBoot, false);
    assert.deepEqual(p.nic, { model: 'E1000', network: 'NAT', mac: '08:00:27:c0:8e:7c' });
  });

  it('lists what it does not carry over: second NIC, sound, USB, CD, shared folder, NVRAM, TPM state, vendor settings', () => {
    assert.deepEqual(kinds(p).sort(), [
      'cd-dvd',
      'nic',
      'shared-folder',
      'sound',
      'tpm-state',
      'uefi-variables',
      'usb',
      'vendor-setting',
    ]);
    const detail = (k: string) => p.notCarried.find((n) => n.kind === k)!.detail;
    assert.match(detail('nic'), /network card 2 \(virtio on "HostOnly"\)/);
    assert.match(detail('shared-folder'), /"projects"/);
    assert.match(detail('sound'), /ensoniq1371/);
    assert.match(
      detail('vendor-setting'),
      /Clipboard, DragAndDrop, RemoteDisplay, GuestProperties, VideoCapture/,
    );
  });
});

describe('VMware ovftool (Workstation, vmx-19, Windows 11)', () => {
  const d = parseOvf(fixture('vmware-workstation-windows11.ovf'));
  const p = mapOvf(d);

  it('reads vmw:osType, 4 vCPUs, memory in byte * 2^20 and a capacity in byte * 2^30', () => {
    assert.equal(d.vendor, 'vmware');
    assert.equal(d.systemType, 'vmx-19');
    assert.equal(p.os.id, 'windows-11');
    assert.match(p.os.declared, /VMware OS type "windows11_64Guest"/);
    assert.equal(p.vcpus, 4);
    assert.equal(p.memoryMiB, 8192);
    assert.equal(p.disk.capacityBytes, 64 * 2 ** 30);
    assert.equal(p.disk.href, 'Windows 11 x64-disk1.vmdk');
    assert.equal(p.disk.controller, 'SATA/NVMe (vmware.nvme.controller)');
  });

  it('takes UEFI, Secure Boot and the vTPM from vmw:Config and the vtpm item', () => {
    assert.equal(p.firmware, 'efi');
    assert.equal(p.secureBoot, true);
    assert.equal(p.tpm, true);
    assert.deepEqual(p.nic, { model: 'E1000e', network: 'nat' });
  });

  it('lists the NVRAM file, VMware-only settings, sound, USB, video, VMCI, the CD drive', () => {
    assert.deepEqual(kinds(p).sort(), [
      'cd-dvd',
      'device',
      'sound',
      'tpm-state',
      'uefi-variables',
      'usb',
      'vendor-setting',
      'video',
    ]);
    const vendor = p.notCarried.find((n) => n.kind === 'vendor-setting')!.detail;
    assert.match(
      vendor,
      /cpuHotAddEnabled, tools\.syncTimeWithHost, powerOpInfo\.powerOffType, svga\.autodetect/,
    );
    assert.doesNotMatch(vendor, /firmware|nvram/);
    assert.match(p.notCarried.find((n) => n.kind === 'video')!.detail, /enable3DSupport=true/);
    // The nvram file is named once, as the UEFI variables, not again as a stray file.
    assert.ok(!kinds(p).includes('file'));
  });
});

describe('VMware ovftool (Ubuntu, BIOS, SCSI, vmxnet3)', () => {
  const p = mapOvf(parseOvf(fixture('vmware-ovftool-ubuntu.ovf')));
  it('is BIOS, 1 vCPU, 1024 MiB, 16 MiB disk on SCSI, the vmxnet3 MAC from rasd:Address', () => {
    assert.equal(p.os.id, 'linux');
    assert.equal(p.firmware, 'bios');
    assert.equal(p.vcpus, 1);
    assert.equal(p.memoryMiB, 1024);
    assert.equal(p.disk.capacityBytes, 16 * 2 ** 20);
    assert.equal(p.disk.controller, 'SCSI (lsilogic)');
    assert.deepEqual(p.nic, { model: 'VmxNet3', network: 'VM Network', mac: '00:50:56:8c:1e:04' });
    assert.equal(p.tpm, false);
  });
  it('lists floppy, serial port, the product and annotation sections', () => {
    assert.deepEqual(kinds(p).sort(), ['floppy', 'section', 'section', 'serial-port', 'vendor-setting']);
    assert.match(
      p.notCarried
        .filter((n) => n.kind === 'section')
        .map((n) => n.detail)
        .join(' '),
      /<AnnotationSection>.*<ProductSection>/,
    );
  });
});

describe('OS types', () => {
  const withOs = (os: string) =>
    fixture('vmware-ovftool-ubuntu.ovf').replace('vmw:osType="ubuntu64Guest"', os);
  for (const [os, id] of [
    ['vmw:osType="debian12_64Guest"', 'linux'],
    ['vmw:osType="debian10_64Guest"', 'linux-5.4'],
    ['vmw:osType="debian12-64"', 'linux'],
    ['vmw:osType="windows11-64"', 'windows-11'],
    ['vmw:osType="windows9_64Guest"', 'windows-10'],
    ['vmw:osType="windows2019srvNext_64Guest"', 'windows-server-2022'],
    ['vmw:osType="centos64Guest"', 'linux'],
    ['vmw:osType="rhel8_64Guest"', 'linux-5.4'],
    ['vmw:osType="other5xLinux64Guest"', 'linux-5.4'],
    ['vmw:osType="freebsd13_64Guest"', 'freebsd'],
    ['vmw:osType="winXPProGuest"', 'reactos'],
  ] as const)
    it(`${os} → ${id}`, () => assert.equal(mapOvf(parseOvf(withOs(os))).os.id, id));

  const vbox = (t: string) => fixture('virtualbox-7-debian.ovf').replaceAll('Debian12_64', t);
  for (const [t, id] of [
    ['Windows11_64', 'windows-11'],
    ['Windows10_64', 'windows-10'],
    ['Windows2022_64', 'windows-server-2022'],
    ['Ubuntu_64', 'linux'],
    ['Ubuntu22_LTS_64', 'linux'],
    ['Debian11_64', 'linux-5.4'],
    ['FreeBSD_64', 'freebsd'],
    ['WindowsXP', 'reactos'],
  ] as const)
    it(`VirtualBox ${t} → ${id}`, () => assert.equal(mapOvf(parseOvf(vbox(t))).os.id, id));

  it('a CIM id alone (no vendor type) is used: 121 is Windows 10 64-bit', () => {
    const xml = withOs('ovf:id="121"').replace('ovf:id="94" ', '');
    assert.equal(mapOvf(parseOvf(xml)).os.id, 'windows-10');
  });

  it('an unknown OS type without --os names what it declares and points at phyllo os list', () => {
    const xml = vbox('Solaris11_64').replace('ovf:id="96"', 'ovf:id="1"');
    fails(
      () => mapOvf(parseOvf(xml)),
      'ova-unknown-os',
      /VirtualBox OS type "Solaris11_64" maps to no Phyllome guest profile/,
    );
    try {
      mapOvf(parseOvf(xml));
    } catch (e) {
      assert.match((e as PhyllomeError).hint!, /--os ID.*linux, linux-5\.4, windows-11.*`phyllo os list`/);
    }
  });

  it('--os overrides the declared type, and says what was declared', () => {
    const p = mapOvf(parseOvf(vbox('Solaris11_64')), { os: 'freebsd' });
    assert.equal(p.os.id, 'freebsd');
    assert.match(p.os.reason, /named with --os \(the OVF declares VirtualBox OS type "Solaris11_64"\)/);
  });
});

describe('OVFs it refuses', () => {
  const ubuntu = fixture('vmware-ovftool-ubuntu.ovf');
  it('a DOCTYPE with an external entity (XXE)', () =>
    fails(
      () =>
        parseOvf(
          ubuntu.replace(
            '<Envelope',
            '<!DOCTYPE Envelope [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n<Envelope',
          ),
        ),
      'ova-invalid',
      /DOCTYPE/,
    ));
  it('an entity declaration', () =>
    fails(
      () => parseOvf(ubuntu.replace('<Envelope', '<!ENTITY a "b">\n<Envelope')),
      'ova-invalid',
      /entity/,
    ));
  it('XML that is not well-formed', () =>
    fails(() => parseOvf(ubuntu.replace('</Envelope>', '')), 'ova-invalid', /not well-formed/));
  it('a root that is not an Envelope', () =>
    fails(() => parseOvf('<Appliance/>'), 'ova-invalid', /not an OVF <Envelope>/));
  it('two virtual machines', () =>
    fails(
      () =>
        parseOvf(
          ubuntu.replace('</Envelope>', '<VirtualSystem ovf:id="b"><Info/></VirtualSystem></Envelope>'),
        ),
      'ova-unsupported',
      /several virtual machines/,
    ));
  it('a capacity that is a property reference', () =>
    fails(
      () => parseOvf(ubuntu.replace('ovf:capacity="16"', 'ovf:capacity="${disk.size}"')),
      'ova-invalid',
      /capacity as/,
    ));
  it('a memory unit that is not bytes', () =>
    fails(
      () =>
        mapOvf(
          parseOvf(
            ubuntu.replace(
              'byte * 2^20</rasd:AllocationUnits>\n        <rasd:Description>Memory',
              'hertz * 10^6</rasd:AllocationUnits>\n        <rasd:Description>Memory',
            ),
          ),
        ),
      'ova-invalid',
      /memory in "hertz \* 10\^6"/,
    ));
  it('two disks', () => {
    const two = ubuntu.replace(
      '<Item ovf:required="false">\n        <rasd:AutomaticAllocation>false</rasd:AutomaticAllocation>\n        <rasd:ElementName>Floppy',
      '<Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>9</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>\n      <Item ovf:required="false">\n        <rasd:AutomaticAllocation>false</rasd:AutomaticAllocation>\n        <rasd:ElementName>Floppy',
    );
    fails(() => mapOvf(parseOvf(two)), 'ova-unsupported', /2 disks/);
  });
  it('a disk item naming a disk the DiskSection does not list', () =>
    fails(
      () => mapOvf(parseOvf(ubuntu.replace('ovf:/disk/vmdisk1', 'ovf:/disk/vmdisk9'))),
      'ova-invalid',
      /vmdisk9/,
    ));
  it('a gzip-compressed disk file', () =>
    fails(
      () => mapOvf(parseOvf(ubuntu.replace('ovf:id="file1"', 'ovf:id="file1" ovf:compression="gzip"'))),
      'ova-unsupported',
      /gzip-compressed/,
    ));
});

it('MAC addresses: both vendors’ spellings, and no multicast one', () => {
  assert.equal(macOf('080027C08E7C'), '08:00:27:c0:8e:7c');
  assert.equal(macOf('00:50:56:8C:1E:04'), '00:50:56:8c:1e:04');
  assert.equal(macOf('01:00:5e:00:00:01'), undefined);
  assert.equal(macOf('not-a-mac'), undefined);
});
