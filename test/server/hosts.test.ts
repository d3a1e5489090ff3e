/**
 * One API over two hosts: this machine's system daemon and a second real libvirtd (its own namespaces,
 * reached over TCP). Every VM is addressed by host and name; `?host=` picks the host, the first is the
 * default; a host that is down answers 503 while the other keeps answering.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '../../src/libvirt/index.js';
import { startSecondHost, secondHostSkip, type SecondHost } from '../support/second-host.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { uniqueName } from '../libvirt/helpers.js';
import { waitFor } from '../support/wait.js';

const skip = secondHostSkip();
let second: SecondHost;
let api: TestApi;
const name = uniqueName('api-hosts');

before(async () => {
  if (skip) return;
  second = await startSecondHost();
  const lv = await connect(second.uri);
  await lv.domains.define(
    `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>`,
  );
  await lv.close();
  api = await testApi({ uris: ['qemu:///system', second.uri] });
});
after(async () => {
  await api?.close();
  await second?.stop();
});

test(
  'two hosts: listed with ids, ?host= picks one, the first is the default, unknown ids are 404',
  { skip },
  async () => {
    const hosts = (await api.call('GET', '/api/hosts')).json() as {
      id: string;
      uri: string;
      connected: boolean;
    }[];
    const remoteId = new URL(second.uri.replace(/^qemu\+tcp/, 'http')).hostname;
    assert.deepEqual(hosts, [
      { id: 'local', uri: 'qemu:///system', connected: true },
      { id: remoteId, uri: second.uri, connected: true },
    ]);
    const there = (await api.call('GET', `/api/vms?host=${remoteId}`)).json() as { name: string }[];
    assert.deepEqual(
      there.map((v) => v.name),
      [name],
    );
    const here = (await api.call('GET', '/api/vms')).json() as { name: string }[];
    assert.ok(!here.some((v) => v.name === name), 'the default host is the first, this machine');
    const info = await api.call('GET', `/api/vms/${name}?host=${remoteId}`);
    assert.equal(info.statusCode, 200);
    assert.equal(info.json().name, name);
    assert.equal((await api.call('GET', `/api/vms/${name}`)).statusCode, 404, 'not on the default host');
    const unknown = await api.call('GET', '/api/vms?host=nowhere');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error.hint, new RegExp(`local, ${remoteId.replace(/\./g, '\\.')}`));

    second.killDaemon();
    // The list is answered from memory: it is 503 once the server knows the daemon is gone (its
    // connection closed), which GET /api/hosts shows.
    await waitFor('the second host seen down', async () => {
      const hs = (await api.call('GET', '/api/hosts')).json() as { connected: boolean }[];
      return hs[1]?.connected === false ? true : undefined;
    });
    const down = await api.call('GET', `/api/vms?host=${remoteId}`);
    assert.equal(down.statusCode, 503, down.body);
    assert.match(down.json().error.code, /^(host-unavailable|libvirt-connection-closed)$/);
    assert.equal((await api.call('GET', '/api/vms')).statusCode, 200, 'the other host still answers');
    const after = (await api.call('GET', '/api/hosts')).json() as { connected: boolean }[];
    assert.deepEqual(
      after.map((h) => h.connected),
      [true, false],
    );
  },
);
