import assert from 'node:assert/strict';
import { test } from 'node:test';
import { child } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { displayAddress, displaysFromXml, readGraphics } from './vm-display.js';

const xml = (graphics: string) => `<domain><devices>${graphics}</devices></domain>`;

test('display addresses from live XML: local loopback, remote wildcard and loopback, not started', () => {
  assert.deepEqual(
    displaysFromXml(
      xml(
        `<graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>`,
      ),
      undefined,
    ),
    [{ type: 'vnc', address: 'vnc://127.0.0.1:5901', host: '127.0.0.1', port: 5901 }],
  );
  const remote = displaysFromXml(
    xml(
      `<graphics type='spice' port='5900' tlsPort='5902'><listen type='address' address='0.0.0.0'/></graphics>`,
    ),
    'h2',
  );
  assert.equal(remote[0]?.address, 'spice://h2:5900');
  assert.equal(remote[0]?.tlsPort, 5902);
  const tunnelled = displaysFromXml(
    xml(`<graphics type='vnc' port='5900'><listen type='address' address='127.0.0.1'/></graphics>`),
    'h2',
  );
  assert.match(tunnelled[0]?.note ?? '', /ssh -L 5900:127.0.0.1:5900 h2/);
  assert.match(
    displaysFromXml(xml(`<graphics type='vnc' port='-1' autoport='yes'/>`), undefined)[0]?.note ?? '',
    /not running/,
  );
  assert.deepEqual(displaysFromXml(xml(`<graphics type='egl-headless'/>`), undefined), []);
});

test('one reader of <graphics>: address, socket and no-listener kinds, ports only when the XML has them', () => {
  const devices = (g: string) => child(parseXml(xml(g)), 'devices');
  assert.deepEqual(
    readGraphics(
      devices(
        `<graphics type='vnc' port='5901' autoport='yes' listen='0.0.0.0'><listen type='address' address='0.0.0.0'/></graphics>` +
          `<graphics type='spice' port='-1' tlsPort='5903' listen='127.0.0.1'/>` +
          `<graphics type='vnc'><listen type='socket' socket='/run/v.sock'/></graphics>` +
          `<graphics type='spice' autoport='yes'><listen type='none'/></graphics>` +
          `<graphics type='egl-headless'/>`,
      ),
    ),
    [
      { type: 'vnc', listener: 'address', listen: '0.0.0.0', port: 5901 },
      { type: 'spice', listener: 'address', listen: '127.0.0.1', tlsPort: 5903 },
      { type: 'vnc', listener: 'socket', socket: '/run/v.sock' },
      { type: 'spice', listener: 'none' },
      { type: 'egl-headless', listener: 'address' },
    ],
  );
  assert.deepEqual(readGraphics(undefined), []);
});

test('displayAddress: a local wildcard is reached on 127.0.0.1, no listen at all means libvirt’s 127.0.0.1', () => {
  const g = { type: 'vnc', listener: 'address' as const, port: 5900 };
  assert.equal(displayAddress({ ...g, listen: '0.0.0.0' }, undefined).address, 'vnc://127.0.0.1:5900');
  assert.equal(displayAddress({ ...g, listen: '::' }, 'h2').address, 'vnc://h2:5900');
  assert.equal(displayAddress({ ...g, listen: 'fd00::5' }, undefined).address, 'vnc://[fd00::5]:5900');
  assert.deepEqual(displayAddress(g, undefined), {
    type: 'vnc',
    address: 'vnc://127.0.0.1:5900',
    host: '127.0.0.1',
    port: 5900,
  });
});

test('a UNIX socket display: its path, wherever the host is', () => {
  const live = xml(
    `<graphics type='vnc' socket='/var/lib/libvirt/qemu/domain-3-web/vnc.sock'><listen type='socket' socket='/var/lib/libvirt/qemu/domain-3-web/vnc.sock'/></graphics>`,
  );
  for (const remote of [undefined, 'h2']) {
    const [d] = displaysFromXml(live, remote);
    assert.equal(d?.socket, '/var/lib/libvirt/qemu/domain-3-web/vnc.sock');
    assert.equal(d?.port, undefined);
  }
});
