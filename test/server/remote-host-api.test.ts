/**
 * One server for two hosts: this machine's daemon and a second one over TCP (the test's own,
 * test/support/second-host.ts), picked with `?host=`. On the remote host a path names a file THERE:
 * a storage volume by POOL/VOLUME or by a path inside an allowed directory (checked without resolving
 * it here, then looked up through its libvirt); its facts are its own (4 GiB of memory); the hardware
 * routes refuse it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { connect, type Libvirt, type StoragePool } from '../../src/libvirt/index.js';
import { status } from '../../src/cli/commands/status.js';
import { hostIdOf } from '../../src/server/hosts.js';
import { isoImage } from '../support/iso-image.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { uniqueName } from '../libvirt/helpers.js';

const skip = secondHostSkip();
const IMAGES = '/var/lib/libvirt/images';
const name = uniqueName('api-remote');
let host: SecondHost;
let lv: Libvirt;
let pool: StoragePool;
let api: TestApi;
let id: string;

before(async () => {
  if (skip) return;
  host = await startSecondHost({ memoryKiB: 4 * 1024 * 1024 });
  lv = await connect(host.uri);
  pool = await lv.pools.create(
    `<pool type='dir'><name>images</name><target><path>${IMAGES}</path></target></pool>`,
  );
  const iso = isoImage({ volumeId: 'Ubuntu-Server 22.04.3 LTS amd64', systemId: 'LINUX' });
  const vol = await pool.volumes.create(
    `<volume><name>jammy.iso</name><capacity unit='bytes'>${iso.length}</capacity><target><format type='raw'/></target></volume>`,
  );
  await vol.upload(Readable.from([iso]));
  api = await testApi({ uris: ['qemu:///system', host.uri], allowedDirs: [IMAGES] });
  id = hostIdOf(host.uri);
});
after(async () => {
  if (skip) return;
  await api?.close();
  await lv?.close();
  await host?.stop();
});

describe('?host= for a second host over TCP', { skip }, () => {
  test('GET /api/hosts lists both; status and explain answer with the remote host’s facts', async () => {
    const hosts = (await api.call('GET', '/api/hosts')).json() as { id: string; connected: boolean }[];
    assert.deepEqual(
      hosts.map((h) => [h.id, h.connected]),
      [
        ['local', true],
        [id, true],
      ],
    );
    const mine = await api.call('GET', `/api/status?host=${id}`);
    assert.equal(mine.statusCode, 200, mine.body);
    const theirs = await status({ uri: host.uri });
    for (const k of ['uri', 'hostname', 'libvirtVersion'] as const)
      assert.equal(mine.json()[k], theirs[k], k);
    assert.equal(mine.json().kvm.state, theirs.kvm.state);
    assert.equal(mine.json().kvm.summary, theirs.kvm.summary, 'the boot test run there, as `phyllo status`');
    const explain = await api.call('GET', `/api/os/linux/explain?host=${id}`);
    assert.equal(explain.statusCode, 200, explain.body);
    const memory = (explain.json().decisions as { topic: string; reason: string }[]).find(
      (d) => d.topic === 'memory',
    );
    assert.match(memory?.reason ?? '', /of its 4096 MiB/);
  });

  test('paths there: POOL/VOLUME or a path in an allowed directory, looked up as a volume; others refused', async () => {
    for (const iso of ['images/jammy.iso', `${IMAGES}/jammy.iso`]) {
      const res = await api.call('POST', `/api/vms?printXml=true&host=${id}`, {
        name,
        iso,
        memory: '2G',
        diskSize: 'none',
      });
      assert.equal(res.statusCode, 200, `${iso}: ${res.body}`);
      assert.equal(res.json().detected.os, 'ubuntu22.04');
      assert.match(res.json().xml, new RegExp(`${IMAGES}/jammy\\.iso`));
    }
    const refused = async (iso: string, code: string, message: RegExp) => {
      const res = await api.call('POST', `/api/vms?printXml=true&host=${id}`, {
        name,
        iso,
        os: 'linux',
        diskSize: 'none',
      });
      assert.equal(res.statusCode, 400, `${iso}: ${res.body}`);
      assert.equal(res.json().error.code, code, res.body);
      assert.match(res.json().error.message, message);
    };
    await refused('/etc/passwd', 'path-not-allowed', /outside/);
    await refused(`${IMAGES}/../../../etc/passwd`, 'path-not-allowed', /"\.\."/);
    await refused('jammy.iso', 'path-not-allowed', /absolute path or POOL\/VOLUME/);
    await refused(`${IMAGES}/nothing-there.iso`, 'remote-file-not-in-pool', /nothing-there\.iso/);
    assert.equal(
      await lv.domains.lookup(name).then(
        () => true,
        () => false,
      ),
      false,
      'previews define nothing',
    );
  });

  test('the hardware routes read this machine only: host-not-local for the remote host', async () => {
    for (const url of [`/api/host/check?host=${id}`, `/api/host/devices?host=${id}`]) {
      const res = await api.call('GET', url);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'host-not-local');
    }
  });
});
