/**
 * The console proxies for real, over a listening server and the real system daemon: the VNC proxy
 * completes an RFB handshake with QEMU on the VM's UNIX socket (the model's default display) up to
 * the ServerInit naming the VM; the serial proxy reads the test guest's report line and its echo,
 * one holder at a time unless ?force=true; both close with "vm-stopped" when the VM is killed.
 * Refusals come before the upgrade with the API's error shape: 401, 403, 404, 409, 426. A SPICE VM
 * gets a typed 409 on /vnc and its remote-viewer file from /console.vv.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, CreateFlags, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { ECHO_MARKER, REPORT_MARKER, testGuestDomainXml } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { wsConnect, wsRefused, type WsClient } from '../support/ws-client.js';

/** The display the model gives a VM on this host (src/model/decisions/display.ts), and a video card. */
export const VNC_SOCKET_DISPLAY = `    <graphics type='vnc'><listen type='socket'/></graphics>
    <video><model type='vga'/></video>`;
const SPICE_DISPLAY = `    <graphics type='spice' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>
    <video><model type='vga'/></video>`;

let api: TestApi;
let lv: Libvirt;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-api-console-'));
const vm = uniqueName('api-console');
const spiceVm = uniqueName('api-spice');
const names = [vm, spiceVm];

let auth: Record<string, string>;
const wsUrl = (path: string) => base.replace(/^http/, 'ws') + path;

before(async () => {
  api = await testApi();
  base = (await api.listen()).url;
  auth = { authorization: `Bearer ${api.token}`, origin: base };
  lv = await connect('qemu:///system');
  await lv.domains.define(
    testGuestDomainXml({ name: vm, serialFile: join(dir, 'serial.log'), extraDevices: VNC_SOCKET_DISPLAY }),
  );
  await lv.domains.define(testGuestDomainXml({ name: spiceVm, extraDevices: SPICE_DISPLAY }));
});
after(async () => {
  for (const n of names) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(UndefineFlags.NVRAM).catch(() => undefined);
  }
  await lv.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * RFB 3.8 up to ServerInit (RFC 6143 §7.1–7.3): the server's version, ours, the security types
 * (None here: the model sets no password), SecurityResult OK, ClientInit (shared), ServerInit.
 */
async function rfbHandshake(
  c: WsClient,
): Promise<{ types: number[]; width: number; height: number; name: string }> {
  assert.equal((await c.read(12)).toString('latin1'), 'RFB 003.008\n');
  c.ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
  const count = (await c.read(1))[0]!;
  assert.ok(count > 0, 'the server offers at least one security type');
  const types = [...(await c.read(count))];
  assert.ok(types.includes(1), `security None offered: ${types.join(',')}`);
  c.ws.send(Buffer.from([1]));
  assert.equal((await c.read(4)).readUInt32BE(0), 0, 'SecurityResult OK');
  c.ws.send(Buffer.from([1])); // ClientInit: shared
  const init = await c.read(24);
  const nameLength = init.readUInt32BE(20);
  const name = (await c.read(nameLength)).toString('utf8');
  return { types, width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
}

test('refused before the upgrade, with the error shape: 401, 403, 404, 409 shut off, 426 without an upgrade', async () => {
  await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/vnc`), { origin: base }), 401, 'unauthorized');
  await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/serial`), { origin: base }), 401, 'unauthorized');
  await wsRefused(
    wsConnect(wsUrl(`/api/vms/${vm}/vnc`), { ...auth, origin: 'http://evil.example' }),
    403,
    'origin-not-allowed',
  );
  await wsRefused(
    wsConnect(wsUrl(`/api/vms/${vm}/serial`), { ...auth, origin: 'http://evil.example' }),
    403,
    'origin-not-allowed',
  );
  await wsRefused(wsConnect(wsUrl('/api/vms/no-such-vm-here/vnc'), auth), 404, 'vm-not-found');
  await wsRefused(wsConnect(wsUrl('/api/vms/no-such-vm-here/serial'), auth), 404, 'vm-not-found');
  await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/vnc?host=elsewhere`), auth), 404, 'host-not-found');
  const off = await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/vnc`), auth), 409, 'vm-wrong-state');
  assert.match(off.error?.hint ?? '', /phyllo vm start/);
  await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/serial`), auth), 409, 'vm-wrong-state');
  const plain = await api.call('GET', `/api/vms/${vm}/vnc`);
  assert.equal(plain.statusCode, 426);
  assert.equal(plain.json().error.code, 'websocket-required');
  const doc = (await api.call('GET', '/api/openapi.json')).json();
  for (const p of ['/api/vms/{name}/vnc', '/api/vms/{name}/serial', '/api/vms/{name}/console.vv'])
    assert.ok(doc.paths[p]?.get, `GET ${p} documented`);
});

test('serial and VNC through the API: the report line and an echo, one holder unless forced, an RFB handshake with QEMU; both end with "vm-stopped" when the VM is killed', async () => {
  // Started paused and attached before it runs, so the report line cannot pass before the console is there.
  const dom = await lv.domains.lookup(vm);
  await dom.start(CreateFlags.PAUSED);
  const serial = await wsConnect(wsUrl(`/api/vms/${vm}/serial`), auth);
  const held = await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/serial`), auth), 409, 'console-unavailable');
  assert.match(held.error?.message ?? '', new RegExp(vm));
  assert.equal((await api.call('POST', `/api/vms/${vm}/resume`)).json().state, 'running');
  const report = await serial.readUntil(`${REPORT_MARKER} `);
  assert.ok(report.endsWith(`${REPORT_MARKER} `));
  await serial.readUntil('\n');
  serial.ws.send('hello-api\r'); // a text frame, as xterm.js sends keys
  await serial.readUntil(`${ECHO_MARKER} hello-api`);

  const vnc = await wsConnect(wsUrl(`/api/vms/${vm}/vnc`), auth, ['binary']);
  assert.equal(vnc.ws.protocol, 'binary', 'noVNC’s subprotocol is accepted');
  const hs = await rfbHandshake(vnc);
  assert.equal(
    hs.name,
    `QEMU (${vm})`,
    'QEMU’s ServerInit names the VM: the proxy reached this VM’s display',
  );
  assert.ok(hs.width > 0 && hs.height > 0, `${hs.width}×${hs.height}`);
  const vv = await api.call('GET', `/api/vms/${vm}/console.vv`);
  assert.equal(vv.statusCode, 409, 'a UNIX-socket display has no address for remote-viewer');
  assert.equal(vv.json().error.code, 'display-no-address');
  assert.match(vv.json().error.hint, new RegExp(`/api/vms/${vm}/vnc`));

  // Taken over: the first holder is closed, the new one carries the console.
  const forced = await wsConnect(wsUrl(`/api/vms/${vm}/serial?force=true`), auth);
  assert.deepEqual(await serial.closed, { code: 1000, reason: 'console-closed' });
  forced.ws.send(Buffer.from('again\r'));
  await forced.readUntil(`${ECHO_MARKER} again`);

  assert.equal((await api.call('POST', `/api/vms/${vm}/kill`)).json().state, 'shutoff');
  assert.deepEqual(await vnc.closed, { code: 1000, reason: 'vm-stopped' });
  assert.deepEqual(await forced.closed, { code: 1000, reason: 'vm-stopped' });
  await wsRefused(wsConnect(wsUrl(`/api/vms/${vm}/vnc`), auth), 409, 'vm-wrong-state');
});

test('a SPICE VM: /vnc is a typed 409 pointing to console.vv, which names its loopback port and no password', async () => {
  const refused = await wsRefused(wsConnect(wsUrl(`/api/vms/${spiceVm}/vnc`), auth), 409, 'display-not-vnc');
  assert.match(refused.error?.message ?? '', /SPICE display/);
  assert.match(refused.error?.hint ?? '', new RegExp(`GET /api/vms/${spiceVm}/console\\.vv`));
  const off = await api.call('GET', `/api/vms/${spiceVm}/console.vv`);
  assert.equal(off.statusCode, 409);
  assert.equal(off.json().error.code, 'vm-wrong-state');

  const dom = await lv.domains.lookup(spiceVm);
  await dom.start(CreateFlags.PAUSED); // a listening SPICE server is all this needs
  const port = /<graphics type='spice' port='(\d+)'/.exec(await dom.xml())?.[1];
  assert.ok(port, 'libvirt gave the SPICE server a port');
  const res = await api.call('GET', `/api/vms/${spiceVm}/console.vv`);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/x-virt-viewer');
  assert.equal(res.headers['content-disposition'], `attachment; filename="${spiceVm}.vv"`);
  const keys = new Map(
    res.body
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  assert.match(res.body, /^\[virt-viewer\]$/m);
  assert.equal(keys.get('type'), 'spice');
  assert.equal(keys.get('host'), '127.0.0.1');
  assert.equal(keys.get('port'), port);
  assert.equal(keys.get('title'), spiceVm);
  assert.ok(!keys.has('password'));
  await dom.destroy();
});
