import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { child } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { qcow2BackingFile, qcow2Chain, xmlBackingChain } from './image-chain.js';
import { clonesFrom, defaultNvram, displaysOf, tpmStatePath } from './vm-info.js';

describe('vm info: where the state lives', () => {
  it('UEFI variables: libvirt’s default file for firmware=efi or a pflash loader; none for BIOS', () => {
    const os = (xml: string) => parseXml(xml);
    assert.equal(
      defaultNvram(os(`<os firmware='efi'><type>hvm</type></os>`), 'web', false, '/root'),
      '/var/lib/libvirt/qemu/nvram/web_VARS.fd',
    );
    assert.equal(
      defaultNvram(os(`<os><loader type='pflash'>/x.fd</loader></os>`), 'web', true, '/home/a'),
      '/home/a/.config/libvirt/qemu/nvram/web_VARS.fd',
    );
    assert.equal(defaultNvram(os(`<os><type>hvm</type></os>`), 'web', false, '/root'), undefined);
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
      tpmStatePath(tpm(`<tpm><backend type='emulator' version='1.2'/></tpm>`), u, true, '/home/a'),
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

describe('vm info: backing chains and clones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-chain-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // base ← mid (a relative backing name) ← top (an absolute one), and a raw image.
  before(() => {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '1M']);
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      'base.qcow2',
      join(dir, 'mid.qcow2'),
    ]);
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      join(dir, 'mid.qcow2'),
      join(dir, 'top.qcow2'),
    ]);
    writeFileSync(join(dir, 'raw.img'), Buffer.alloc(4096));
  });

  it('qcow2Chain follows the headers; a raw image or a missing file stands on nothing', async () => {
    assert.deepEqual(await qcow2Chain(join(dir, 'top.qcow2')), [
      join(dir, 'top.qcow2'),
      join(dir, 'mid.qcow2'),
      join(dir, 'base.qcow2'),
    ]);
    assert.equal(await qcow2BackingFile(join(dir, 'raw.img')), undefined);
    assert.equal(await qcow2BackingFile(join(dir, 'absent.qcow2')), undefined);
  });

  it('a clone is a VM with an image based on one of ours, not the one that is ours', () => {
    const others = [
      { name: 'clone', chains: [[{ path: '/i/c.qcow2' }, { path: '/i/base.qcow2' }]] },
      { name: 'other', chains: [[{ path: '/i/o.qcow2' }]] },
      { name: 'shares', chains: [[{ path: '/i/base.qcow2' }]] },
    ];
    assert.deepEqual(clonesFrom(['/i/base.qcow2'], others), ['clone']);
  });

  it('the live XML’s backingStore chain, the disk’s own image first', () => {
    const disk = parseXml(`<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/i/top.qcow2'/><backingStore type='file'><format type='qcow2'/><source file='/i/base.qcow2'/>
      <backingStore/></backingStore><target dev='vda'/></disk>`);
    assert.deepEqual(xmlBackingChain(disk), [
      { path: '/i/top.qcow2', format: 'qcow2' },
      { path: '/i/base.qcow2', format: 'qcow2' },
    ]);
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
