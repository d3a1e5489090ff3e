import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { child } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { defaultNvram, displaysOf, tpmStatePath } from './vm-info.js';
import { domainConfigDir } from './shutoff-vm-cache.js';

describe('vm info: where the state lives', () => {
  it('UEFI variables: libvirt’s default file for firmware=efi or a pflash loader; none for BIOS', () => {
    const os = (xml: string) => parseXml(xml);
    assert.equal(
      defaultNvram(os(`<os firmware='efi'><type>hvm</type></os>`), 'web', false, '/root'),
      '/var/lib/libvirt/qemu/nvram/web_VARS.fd',
    );
    assert.equal(
      defaultNvram(
        os(`<os><loader type='pflash'>/x.fd</loader></os>`),
        'web',
        true,
        '/home/a/.config/libvirt/qemu',
      ),
      '/home/a/.config/libvirt/qemu/nvram/web_VARS.fd',
    );
    assert.equal(defaultNvram(os(`<os><type>hvm</type></os>`), 'web', false, '/root'), undefined);
    // a session daemon's dir follows XDG_CONFIG_HOME, as libvirt's does
    const xdg = domainConfigDir('qemu:///session', { XDG_CONFIG_HOME: '/srv/cfg' }) as string;
    assert.equal(
      defaultNvram(os(`<os firmware='efi'><type>hvm</type></os>`), 'web', true, xdg),
      '/srv/cfg/libvirt/qemu/nvram/web_VARS.fd',
    );
    assert.equal(
      tpmStatePath(parseXml(`<tpm><backend type='emulator' version='2.0'/></tpm>`), 'u1', true, xdg),
      '/srv/cfg/libvirt/qemu/swtpm/u1/tpm2',
    );
  });
  it('TPM state: swtpm’s folder per UUID and version, or the source the XML names', () => {
    const tpm = (xml: string) => parseXml(xml);
    const u = '0b5c2f7e-1111-2222-3333-444455556666';
    assert.equal(
      tpmStatePath(
        tpm(`<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>`),
        u,
        false,
        '/r',
      ),
      `/var/lib/libvirt/swtpm/${u}/tpm2`,
    );
    assert.equal(
      tpmStatePath(
        tpm(`<tpm><backend type='emulator' version='1.2'/></tpm>`),
        u,
        true,
        '/home/a/.config/libvirt/qemu',
      ),
      `/home/a/.config/libvirt/qemu/swtpm/${u}/tpm1.2`,
    );
    assert.equal(
      tpmStatePath(
        tpm(`<tpm><backend type='emulator'><source type='dir' path='/srv/t'/></backend></tpm>`),
        u,
        false,
        '/r',
      ),
      '/srv/t',
    );
  });
});

describe('vm info: displays', () => {
  const devices = (g: string) => child(parseXml(`<domain><devices>${g}</devices></domain>`), 'devices');
  const vnc = `<graphics type='vnc' port='5900'><listen type='address' address='127.0.0.1'/></graphics>`;
  it('where each listens; the address (as vm display gives it) only while running', () => {
    assert.deepEqual(displaysOf(devices(vnc), true, undefined), [
      { type: 'vnc', listen: '127.0.0.1', address: 'vnc://127.0.0.1:5900' },
    ]);
    assert.deepEqual(displaysOf(devices(vnc), false, undefined), [{ type: 'vnc', listen: '127.0.0.1' }]);
  });
  it('a remote host: its name in the address, and the tunnel for a loopback listener; a socket and no listener said as such', () => {
    assert.deepEqual(displaysOf(devices(vnc), true, 'h2'), [
      {
        type: 'vnc',
        listen: '127.0.0.1',
        address: 'vnc://h2:5900',
        note: 'listens on 127.0.0.1 on h2 only: tunnel it, e.g. ssh -L 5900:127.0.0.1:5900 h2',
      },
    ]);
    assert.deepEqual(
      displaysOf(
        devices(
          `<graphics type='vnc'><listen type='socket' socket='/run/v.sock'/></graphics><graphics type='spice'><listen type='none'/></graphics>`,
        ),
        false,
        undefined,
      ),
      [
        { type: 'vnc', listen: '/run/v.sock', note: 'a UNIX socket on the VM’s host' },
        { type: 'spice', listen: 'none', note: 'no network listener (e.g. reached only through libvirt)' },
      ],
    );
  });
});
