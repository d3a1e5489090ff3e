/**
 * The VNC proxy for a remote host: a VM on the test's second libvirt host (its own network namespace)
 * with the display the model gives a remote VM, VNC on that host's loopback address, which nothing
 * on this machine can connect to. Through `qemu+ssh://` the proxy reaches it over the host's SSH
 * transport and completes an RFB handshake; through `qemu+tcp://` the same VM is a typed refusal.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { hostIdOf } from '../../src/server/hosts.js';
import { testGuestDomainXml } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { wsConnect, wsRefused } from '../support/ws-client.js';

const skip =
  secondHostSkip({ guest: true }) || (existsSync('/usr/sbin/sshd') ? false : 'needs the OpenSSH server');
const vm = uniqueName('api-remote-vnc');
/** The model's display for a VM on a remote host (src/model/decisions/display.ts). */
const LOOPBACK_VNC = `    <graphics type='vnc' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>
    <video><model type='vga'/></video>`;

describe('the VNC proxy to a remote host', { skip }, () => {
  let hostB: SecondHost;
  let lvB: Libvirt;
  let api: TestApi;
  let base: string;
  let auth: Record<string, string>;
  before(async () => {
    hostB = await startSecondHost({ ssh: true });
    lvB = await connect(hostB.uri);
    await lvB.domains.create(testGuestDomainXml({ name: vm, extraDevices: LOOPBACK_VNC }));
    api = await testApi({ uris: [hostB.sshUri!, hostB.uri] });
    base = (await api.listen()).url;
    auth = { authorization: `Bearer ${api.token}`, origin: base };
  });
  after(async () => {
    await api?.close();
    await lvB?.close();
    await hostB?.stop();
  });

  test('over SSH: an RFB handshake with QEMU on that host’s loopback, closed with "vm-stopped" when it stops', async () => {
    const hosts = (await api.call('GET', '/api/hosts')).json() as { id: string; uri: string }[];
    const ssh = hosts.find((h) => h.uri === hostB.sshUri)!.id;
    assert.equal(ssh, hostIdOf(hostB.sshUri!));

    const port = Number(
      /<graphics type='vnc' port='(\d+)'/.exec(await (await lvB.domains.lookup(vm)).xml())?.[1],
    );
    assert.ok(port > 0);
    // Not reachable from this machine: the listener is on the other host's loopback.
    const direct = await new Promise<string>((resolve) => {
      const s = netConnect({ host: hostB.address, port });
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.notEqual(direct, 'connected', `${hostB.address}:${port} must not be reachable`);

    const c = await wsConnect(base.replace(/^http/, 'ws') + `/api/vms/${vm}/vnc?host=${ssh}`, auth);
    assert.equal((await c.read(12)).toString('latin1'), 'RFB 003.008\n');
    c.ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await c.read(1))[0]!;
    const types = [...(await c.read(count))];
    assert.ok(types.includes(1), `security None offered: ${types.join(',')}`);
    c.ws.send(Buffer.from([1]));
    assert.equal((await c.read(4)).readUInt32BE(0), 0, 'SecurityResult OK');
    c.ws.send(Buffer.from([1]));
    const init = await c.read(24);
    assert.equal((await c.read(init.readUInt32BE(20))).toString('utf8'), `QEMU (${vm})`);

    await (await lvB.domains.lookup(vm)).destroy();
    assert.deepEqual(await c.closed, { code: 1000, reason: 'vm-stopped' });
  });

  test('over TCP: the display is refused as needing SSH', async () => {
    const dom = await lvB.domains.create(
      testGuestDomainXml({ name: `${vm}-tcp`, extraDevices: LOOPBACK_VNC }),
    );
    try {
      const hosts = (await api.call('GET', '/api/hosts')).json() as { id: string; uri: string }[];
      const tcp = hosts.find((h) => h.uri === hostB.uri)!.id;
      const body = await wsRefused(
        wsConnect(base.replace(/^http/, 'ws') + `/api/vms/${vm}-tcp/vnc?host=${tcp}`, auth),
        422,
        'display-needs-ssh',
      );
      assert.match(body.error?.hint ?? '', /qemu\+ssh:\/\//);
    } finally {
      await dom.destroy().catch(() => undefined);
    }
  });
});
