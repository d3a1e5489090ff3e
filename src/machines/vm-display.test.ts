import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displaysFromXml } from './vm-display.js';

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
