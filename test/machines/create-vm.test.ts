/** `createVm` on the real system daemon: the VM, its disk and its network, or nothing at all. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { connect, isNotFound, MetadataType, type Libvirt } from '../../src/libvirt/index.js';
import { createVm, startCreateLookups } from '../../src/machines/create-vm.js';
import { emptyQcow2 } from '../../src/machines/empty-qcow2.js';
import { VmCreateError, VmExistsError } from '../../src/machines/errors.js';
import { ensureNetwork } from '../../src/machines/networks.js';
import { NetworkMissingError } from '../../src/machines/errors.js';
import { kvmVerdict, type KvmVerdict } from '../../src/host/kvm-verdict.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';
import { uniqueName } from '../libvirt/helpers.js';
import { emptyCache } from '../support/empty-cache.js';
import { freeGatewayAddress } from '../support/free-subnet.js';
import { hasFeatureNameTable, qemuImgInfo } from '../support/qemu-img-info.js';

// No cached verdict from an earlier run: gathering the facts runs the boot test itself.
emptyCache();
let lv: Libvirt;
let host: ModelHostFacts;
/** What the boot test found (cached by gatherModelHostFacts, read back the way the product reads it). */
let verdict: KvmVerdict;
/** Whether libvirt offers a kvm domain on this host. */
let kvmOffered: boolean;
const cleanup: (() => Promise<unknown>)[] = [];

before(async () => {
  lv = await connect('qemu:///system');
  host = await gatherModelHostFacts(lv, { onProgress: () => {} });
  verdict = await kvmVerdict();
  kvmOffered = /<domain type=["']kvm["']/.test(await lv.capabilities());
});
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await lv.close();
});

function removeLater(name: string, disk?: string): void {
  cleanup.push(async () => {
    const d = await lv.domains.lookup(name).catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  });
  if (disk) cleanup.push(async () => rmSync(disk, { force: true }));
}

test('the host facts come from the boot test and libvirt: KVM only where a guest booted under it, q35 known, domain capabilities read', () => {
  // A boot test that ran (KVM works or is broken) is cached; without /dev/kvm or a guest none runs.
  if (verdict.state === 'works' || verdict.state === 'broken')
    assert.equal(verdict.cached, true, 'gathering the facts ran the boot test and cached its result');
  assert.equal(host.kvm.works, verdict.usable ? true : verdict.state === 'unknown' ? 'unknown' : false);
  assert.equal(host.kvm.offered, kvmOffered);
  assert.equal(
    Boolean(host.domainCaps.kvm),
    kvmOffered && verdict.usable,
    'kvm domain capabilities only where KVM works',
  );
  assert.ok(host.machines.some((m) => m.name === 'q35'));
  assert.ok(host.domainCaps.qemu, 'qemu domain capabilities');
});

test('creates a Linux VM: domain defined with our metadata, a new qcow2 disk, the default network running', async () => {
  const name = uniqueName('create');
  const disk = `/var/lib/libvirt/images/${name}.qcow2`;
  removeLater(name, disk);
  const vm = await createVm(lv, { name, os: 'linux', memory: '1G', vcpus: 1, diskSize: '1G' }, host);
  assert.equal(vm.name, name);
  assert.equal(vm.disk, disk);
  const dom = await lv.domains.lookup(name);
  assert.equal((await dom.state()).state, 'shutoff');
  const xml = await dom.xml();
  assert.match(xml, new RegExp(`<domain type='${kvmOffered && verdict.usable ? 'kvm' : 'qemu'}'`));
  assert.ok(xml.includes(`<source file='${disk}'/>`));
  const meta = await dom.metadata(MetadataType.ELEMENT, 'https://phyllo.me/xmlns/vm/1.0');
  assert.match(meta, /profile/);
  const vol = await lv.volumes.lookupByPath(disk);
  assert.match(await vol.xml(), /<format type='qcow2'\/>/);
  assert.equal((await vol.info()).capacity, BigInt(1024 ** 3));
  // qcow2 version 3, as qemu-img and virt-install make it (libvirt alone would write version 2).
  assert.equal(qemuImgInfo(disk)['format-specific']?.data?.compat, '1.1');
  execFileSync('qemu-img', ['check', '-q', disk]); // fails on any error or leaked cluster
  assert.equal(statSync(disk).mode & 0o777, 0o600, 'root-only, as libvirt makes a volume');
  assert.equal(
    hasFeatureNameTable(readFileSync(disk)),
    false,
    'written by phyllo (emptyQcow2), not by qemu-img',
  );
  // Uploaded as a sparse stream (its zeros as holes): the file holds the image byte for byte, to its end.
  assert.ok(readFileSync(disk).equals(emptyQcow2(1024 ** 3)));
  const net = await lv.networks.lookup('default');
  assert.equal(await net.isActive(), true);
});

test('a disk over 64 TiB is left to qemu-img (through libvirt): the same kind of image', async () => {
  const name = uniqueName('huge');
  const disk = `/var/lib/libvirt/images/${name}.qcow2`;
  removeLater(name, disk);
  await createVm(lv, { name, os: 'linux', memory: '1G', vcpus: 1, diskSize: '65T' }, host);
  const info = qemuImgInfo(disk);
  assert.equal(info['virtual-size'], 65 * 2 ** 40);
  assert.equal(hasFeatureNameTable(readFileSync(disk)), true, 'written by qemu-img');
  assert.equal(info['format-specific']?.data?.compat, '1.1');
  execFileSync('qemu-img', ['check', '-q', disk]);
});

test('a second VM of the same name is refused and nothing is created for it', async () => {
  const name = uniqueName('dup');
  const disk = `/var/lib/libvirt/images/${name}.qcow2`;
  removeLater(name, disk);
  await createVm(lv, { name, os: 'linux', memory: '1G', diskSize: 'none' }, host);
  await assert.rejects(
    createVm(lv, { name, os: 'linux', memory: '1G', diskSize: '1G' }, host),
    VmExistsError,
  );
  assert.equal(existsSync(disk), false);
});

test('with its questions asked in advance (as the CLI does, while the host facts are gathered) the same VM is created, and a taken name is still refused', async () => {
  const name = uniqueName('early');
  const disk = `/var/lib/libvirt/images/${name}.qcow2`;
  removeLater(name, disk);
  const options = { name, os: 'linux', memory: '1G', vcpus: 1, diskSize: '1G' };
  const vm = await createVm(lv, options, host, { lookups: startCreateLookups(lv, name) });
  assert.equal(vm.disk, disk);
  assert.equal((await (await lv.domains.lookup(name)).state()).state, 'shutoff');
  assert.equal((await (await lv.volumes.lookupByPath(disk)).info()).capacity, BigInt(1024 ** 3));
  await assert.rejects(
    createVm(lv, { ...options, diskSize: 'none' }, host, { lookups: startCreateLookups(lv, name) }),
    VmExistsError,
  );
  // Lookups asked for another name are not taken for this one's.
  const other = uniqueName('early-other');
  removeLater(other);
  await assert.rejects(
    createVm(lv, { ...options, diskSize: 'none' }, host, { lookups: startCreateLookups(lv, other) }),
    VmExistsError,
  );
});

test('an existing file where the new disk would go is never overwritten or deleted, and no VM is left', async () => {
  const name = uniqueName('keep');
  const disk = `/var/lib/libvirt/images/${name}.qcow2`;
  removeLater(name, disk);
  writeFileSync(disk, 'precious data');
  await lv.pools.list().then((ps) => Promise.all(ps.map((p) => p.refresh().catch(() => undefined))));
  await assert.rejects(
    createVm(lv, { name, os: 'linux', memory: '1G', diskSize: '1G' }, host),
    VmCreateError,
  );
  assert.equal(statSync(disk).size, 'precious data'.length);
  await assert.rejects(lv.domains.lookup(name), (err) => isNotFound(err));
});

test('bad options fail before libvirt is touched', async () => {
  const name = uniqueName('bad');
  await assert.rejects(createVm(lv, { name, os: 'no-such-os' }, host), { code: 'unknown-os' });
  await assert.rejects(createVm(lv, { name, os: 'linux', memory: '16M' }, host), {
    code: 'memory-below-minimum',
  });
  await assert.rejects(createVm(lv, { name: "bad'name<", os: 'linux' }, host), { code: 'unsafe-value' });
  await assert.rejects(lv.domains.lookup(name), (err) => isNotFound(err));
});

test('a missing network other than default is an error, not created', async () => {
  await assert.rejects(ensureNetwork(lv, uniqueName('nonet')), NetworkMissingError);
});

test('ensureNetwork defines a missing network from its definition, starts a stopped one, leaves a running one', async () => {
  const name = uniqueName('net').slice(0, 40);
  // An isolated network (no forward, no DHCP) on its own bridge: nothing else uses it.
  const bridge = `phy${process.pid % 100000}`;
  const xml = `<network><name>${name}</name><bridge name='${bridge}'/><ip address='${freeGatewayAddress(251)}' netmask='255.255.255.0'/></network>`;
  cleanup.push(async () => {
    const n = await lv.networks.lookup(name);
    await n.destroy().catch(() => undefined);
    await n.undefine();
  });
  const first = await ensureNetwork(lv, name, xml);
  assert.deepEqual([first.defined, first.started], [true, true]);
  assert.equal(await first.network.isActive(), true);
  assert.equal(await first.network.autostart(), true);

  const second = await ensureNetwork(lv, name, xml);
  assert.deepEqual([second.defined, second.started], [false, false]);

  await second.network.destroy();
  const third = await ensureNetwork(lv, name, xml);
  assert.deepEqual([third.defined, third.started], [false, true]);
  assert.equal(await third.network.isActive(), true);
});
