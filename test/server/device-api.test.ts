/**
 * The device routes against the real system daemon, on VMs `vm create` made: network cards, shared
 * folders, PCI passthrough (decided on the AMD desktop fixture, as `--root`), USB and USB rules. Each
 * answer is the CLI's `--json`; each refusal is the typed error under its status and leaves the VM's
 * definition exactly as it was.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import { makeFixtures } from '../fixtures/hosts/make-fixtures.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { jsonContext } from '../support/command-context.js';
import { testApi, type TestApi } from '../support/api-server.js';

const skip = !isRoot && 'needs root (the system daemon)';
const vm = uniqueName('dev-api');
const other = uniqueName('dev-api-other');
let lv: Libvirt;
let api: TestApi;
let dir: string;
let fx: ReturnType<typeof makeFixtures>;

const url = (path: string, name = vm) => `/api/vms/${name}${path}`;
const xml = async (name = vm) => (await lv.domains.lookup(name)).xml(DomainXmlFlags.INACTIVE);

/** `call` must answer `status` with the error `code`, and the VM's definition must not change. */
async function refused(method: 'POST' | 'DELETE', path: string, body: unknown, status: number, code: string) {
  const before = await xml();
  const res = await api.call(method, url(path), body);
  assert.equal(res.statusCode, status, `${method} ${path} ${JSON.stringify(body)}: ${res.body}`);
  assert.equal(res.json().error.code, code, res.body);
  assert.ok(res.json().error.hint, `${code} has a hint`);
  assert.equal(await xml(), before, `${method} ${path}: nothing changed`);
  return res.json().error as { message: string; hint: string };
}

before(async () => {
  if (!isRoot) return;
  lv = await connect('qemu:///system');
  dir = mkdtempSync(join(tmpdir(), 'phyllo-dev-api-'));
  chmodSync(dir, 0o755);
  fx = makeFixtures(['amd-desktop']);
  api = await testApi({ allowedDirs: [dir], hostRoot: fx.roots['amd-desktop'] as string });
  const ctx = (name: string) =>
    jsonContext([name], {
      connect: 'qemu:///system',
      os: 'linux',
      memory: '1G',
      'disk-size': 'none',
      display: 'none',
    });
  await create(ctx(vm));
  await create(ctx(other));
});
after(async () => {
  if (!isRoot) return;
  await api?.close();
  for (const n of [vm, other]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
  fx.cleanup();
});

test(
  'network cards: added on the default network, listed, removed; a bad network, a taken MAC, a card not there are refused',
  { skip },
  async () => {
    const added = await api.call('POST', url('/nics'), { model: 'e1000e', mac: '52:54:00:dd:ee:01' });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(added.json().applies, 'next-start');
    assert.deepEqual(added.json().nic, {
      type: 'network',
      source: 'default',
      model: 'e1000e',
      mac: '52:54:00:dd:ee:01',
    });
    const list = await api.call('GET', url('/nics'));
    assert.equal(list.statusCode, 200);
    const nics = list.json().nics as { index: number; mac: string; model: string }[];
    assert.deepEqual(nics.at(-1), {
      index: nics.length - 1,
      type: 'network',
      source: 'default',
      model: 'e1000e',
      mac: '52:54:00:dd:ee:01',
    });

    const net = await refused('POST', '/nics', { network: 'phyllo-no-such-net' }, 404, 'network-not-found');
    assert.match(net.hint, /default/, 'the host’s networks are named');
    await refused('POST', '/nics', { mac: '52:54:00:dd:ee:01' }, 409, 'mac-in-use');
    await refused('POST', '/nics', { network: 'default', bridge: 'virbr0' }, 400, 'invalid-input');
    await refused('DELETE', '/nics/52:54:00:dd:ee:99', undefined, 404, 'nic-not-found');

    const removed = await api.call('DELETE', url('/nics/52:54:00:dd:ee:01'));
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(removed.json().removed.mac, '52:54:00:dd:ee:01');
    assert.doesNotMatch(await xml(), /52:54:00:dd:ee:01/);
  },
);

test(
  'shared folders: a directory inside the allowed ones is shared, listed, unshared; bad paths and a taken tag are refused',
  { skip },
  async () => {
    const share = join(dir, 'projects');
    mkdirSync(share);
    writeFileSync(join(dir, 'a-file'), 'x');
    const added = await api.call('POST', url('/shares'), { dir: share, tag: 'projects' });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(added.json().share, {
      tag: 'projects',
      dir: share,
      readonly: false,
      driver: 'virtiofs',
    });
    // vm create gives its VMs shared memfd memory up front, so nothing had to change for the share.
    assert.equal(added.json().sharedMemoryAdded, false);
    assert.match(added.json().mount, /mount -t virtiofs projects /);
    assert.match(await xml(), /<source type='memfd'\/>/);
    const list = await api.call('GET', url('/shares'));
    assert.deepEqual(
      list.json().shares.map((s: { tag: string; dir: string }) => [s.tag, s.dir]),
      [['projects', share]],
    );

    await refused('POST', '/shares', { dir: share, tag: 'projects' }, 409, 'share-tag-taken');
    const outside = await refused('POST', '/shares', { dir: '/etc', tag: 'etc' }, 400, 'path-not-allowed');
    assert.match(outside.hint, new RegExp(dir));
    await refused('POST', '/shares', { dir: join(dir, 'a-file'), tag: 'file' }, 400, 'share-path-invalid');
    await refused('POST', '/shares', { dir: join(dir, 'not-there'), tag: 'gone' }, 400, 'share-path-missing');
    await refused('DELETE', '/shares/nope', undefined, 404, 'share-not-found');

    const removed = await api.call('DELETE', url('/shares/projects'));
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(removed.json().removed.tag, 'projects');
    assert.doesNotMatch(await xml(), /<filesystem/);
  },
);

test(
  'PCI passthrough decided on the fixture host: a shared group needs withGroup, then both functions are defined; in another VM it is taken',
  { skip },
  async () => {
    const needs = await refused('POST', '/devices', { pci: '0b:00.0' }, 422, 'pci-needs-with-group');
    assert.match(needs.message, /IOMMU group 2/);
    await refused('POST', '/devices', { pci: '0b:00.0', usb: '046d:c52b' }, 400, 'invalid-input');
    await refused('POST', '/devices', { usb: '046d:c52b', withGroup: true }, 400, 'invalid-input');
    await refused('POST', '/devices', { gpu: '0b:00.0' }, 400, 'invalid-input');
    const added = await api.call('POST', url('/devices'), { pci: '0b:00.0', withGroup: true });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(added.json().kind, 'pci');
    assert.deepEqual(
      added.json().added.map((a: { address: string }) => a.address),
      ['0000:0b:00.0', '0000:0b:00.1'],
    );
    assert.equal(added.json().warnings.length, 2);
    const list = await api.call('GET', url('/devices'));
    assert.deepEqual(
      list.json().devices.map((d: { address: string; hostName: string }) => [d.address, d.hostName]),
      [
        ['0000:0b:00.0', 'NVIDIA Corporation GA104 [GeForce RTX 3070]'],
        ['0000:0b:00.1', 'NVIDIA Corporation GA104 High Definition Audio Controller'],
      ],
    );
    const taken = await api.call('POST', url('/devices', other), { pci: '0b:00.0', withGroup: true });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal(taken.json().error.code, 'pci-in-use');
    await refused('DELETE', '/devices/0000:0c:00.0', undefined, 404, 'device-not-found');
    for (const a of ['0000:0b:00.0', '0000:0b:00.1']) {
      const res = await api.call('DELETE', url(`/devices/${a}`));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().kind, res.json().removed], ['pci', a]);
    }
    assert.doesNotMatch(await xml(), /<hostdev/);
  },
);

test(
  'USB: a device this host does not have is refused with what it has; rules are added (201), listed with the server’s log, removed',
  { skip },
  async () => {
    const unknown = await refused('POST', '/devices', { usb: '046d:c52b' }, 404, 'usb-unknown');
    assert.match(unknown.message, /046d:c52b/);
    await refused('DELETE', '/devices/046d:c52b', undefined, 404, 'device-not-found');
    await refused('POST', '/usb-rules', { rule: 'not-a-rule' }, 400, 'usb-id-invalid');

    const added = await api.call('POST', url('/usb-rules'), { rule: '1050:0407:KEY1' });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.headers.location, `/api/vms/${vm}/usb-rules/1050%3A0407%3AKEY1`);
    assert.deepEqual(added.json(), { vm, rule: '1050:0407:KEY1', rules: ['1050:0407:KEY1'], running: false });
    await refused('POST', '/usb-rules', { rule: '1050:0407:KEY1' }, 409, 'usb-rule-exists');

    const mine = await api.call('GET', url('/usb-rules'));
    assert.deepEqual(
      mine.json().vms.map((v: { vm: string; rules: { id: string }[] }) => [v.vm, v.rules.map((r) => r.id)]),
      [[vm, ['1050:0407:KEY1']]],
    );
    const all = await api.call('GET', '/api/usb-rules');
    assert.equal(all.statusCode, 200, all.body);
    assert.ok(all.json().vms.some((v: { vm: string }) => v.vm === vm));
    assert.ok(Array.isArray(all.json().log), 'the server’s rule log');

    await refused('DELETE', '/usb-rules/046d:c52b', undefined, 404, 'usb-rule-not-found');
    const removed = await api.call('DELETE', url('/usb-rules/1050:0407:KEY1'));
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json().rules, []);
  },
);
