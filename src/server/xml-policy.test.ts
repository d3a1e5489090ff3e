import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PhyllomeError } from '../errors.js';
import { checkEditedXml } from './xml-policy.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-xml-policy-')));
after(() => rmSync(dir, { recursive: true, force: true }));

const domain = (devices: string, extra = ''): string =>
  `<domain type='kvm'><name>vm</name><uuid>u</uuid>${extra}<os><type>hvm</type>` +
  `<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>` +
  `<nvram>/var/lib/libvirt/qemu/nvram/vm_VARS.fd</nvram></os>` +
  `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>${devices}</devices></domain>`;
const disk = (file: string): string =>
  `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${file}'/><target dev='vda' bus='virtio'/></disk>`;
const original = domain(disk('/var/lib/libvirt/images/vm.qcow2'));

function refused(edited: string, code: string, message: RegExp): void {
  assert.throws(
    () => checkEditedXml(original, edited, [dir], false),
    (e: unknown) => {
      assert.ok(e instanceof PhyllomeError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('checkEditedXml', () => {
  it('passes an edit that keeps every path, or adds one inside an allowed directory', () => {
    checkEditedXml(
      original,
      original.replace('<name>', '<description>/a note</description><name>'),
      [dir],
      false,
    );
    checkEditedXml(
      original,
      domain(disk('/var/lib/libvirt/images/vm.qcow2') + disk(`${dir}/data.qcow2`)),
      [dir],
      false,
    );
  });

  it('refuses a new path outside the allowed directories, wherever it is', () => {
    refused(domain(disk('/etc/shadow')), 'path-not-allowed', /<source file>.*"\/etc\/shadow"/);
    refused(original.replace('/usr/bin/qemu-system-x86_64', '/tmp/evil'), 'path-not-allowed', /<emulator>/);
    refused(
      domain(
        disk('/var/lib/libvirt/images/vm.qcow2') +
          `<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vdb'/></disk>`,
      ),
      'path-not-allowed',
      /<source dev>.*\/dev\/sda/,
    );
    refused(domain(disk('&#47;etc&#47;shadow')), 'path-not-allowed', /"\/etc\/shadow"/);
    refused(domain(disk('relative.qcow2')), 'path-not-allowed', /relative/);
    refused(
      original.replace(
        '<name>',
        "<metadata><p:vm xmlns:p='x'><p:image path='/etc/passwd'/></p:vm></metadata><name>",
      ),
      'path-not-allowed',
      /<p:image path>/,
    );
    refused(domain(disk(`${dir}/../../etc/x`)), 'path-not-allowed', /outside/);
  });

  it('refuses a DOCTYPE, new QEMU command-line elements and new security labels; unchanged ones pass', () => {
    refused(
      `<!DOCTYPE domain [<!ENTITY p "/etc/shadow">]>${domain(disk('&p;'))}`,
      'xml-not-allowed',
      /DOCTYPE/,
    );
    const qemu =
      "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-drive'/><qemu:arg value='file=x'/></qemu:commandline>";
    refused(original.replace('</devices>', `</devices>${qemu}`), 'xml-not-allowed', /qemu:commandline/);
    refused(
      original.replace(
        '</devices>',
        "</devices><commandline xmlns='http://libvirt.org/schemas/domain/qemu/1.0'/>",
      ),
      'xml-not-allowed',
      /<commandline>/,
    );
    const root = "<seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>";
    refused(original.replace('</devices>', `</devices>${root}`), 'xml-not-allowed', /seclabel/);
    const withQemu = original.replace('</devices>', `</devices>${qemu}`);
    checkEditedXml(withQemu, withQemu.replace('<name>', '<title>t</title><name>'), [dir], false);
  });

  it('on a remote host, new paths are checked without resolving them here', () => {
    checkEditedXml(original, domain(disk(`${dir}/x.qcow2`)), [dir], true);
    assert.throws(() => checkEditedXml(original, domain(disk(`${dir}/../x.qcow2`)), [dir], true), /"\.\."/);
  });
});
