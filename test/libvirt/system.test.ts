/** The client against the real system daemon, compared with virsh on the same daemon. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Libvirt,
  isNotFound,
  LibvirtError,
  ErrorCode,
  Proc,
  DomainXmlFlags,
} from '../../src/libvirt/index.js';
import { isRoot, openSystem, removeDomain, tcgDomainXml, uniqueName, virsh } from './helpers.js';

const skip = isRoot ? false : 'needs root and the system libvirt daemon';
let lv: Libvirt;
const name = uniqueName('sys');

before(async () => {
  if (skip) return;
  lv = await openSystem();
  await lv.domains.define(tcgDomainXml(name));
});

after(async () => {
  if (skip) return;
  await removeDomain(lv, name);
  await lv.close();
});

test('hostname, versions, URI and driver type match virsh', { skip }, async () => {
  assert.equal(await lv.hostname(), (await virsh('hostname')).trim());
  const version = await virsh('version');
  const lib = await lv.libVersion();
  assert.match(version, new RegExp(`Using library: libvirt ${lib.major}\\.${lib.minor}\\.${lib.release}\\n`));
  const hv = await lv.hypervisorVersion();
  assert.match(version, new RegExp(`Running hypervisor: QEMU ${hv.major}\\.${hv.minor}\\.${hv.release}\\n`));
  assert.equal(await lv.uri(), (await virsh('uri')).trim());
  assert.equal(await lv.type(), 'QEMU');
});

test('capabilities XML is the same document virsh prints', { skip }, async () => {
  assert.equal((await lv.capabilities()).trim(), (await virsh('capabilities')).trim());
  const dc = await lv.domainCapabilities({ virttype: 'qemu', arch: 'x86_64' });
  assert.match(dc, /<domainCapabilities>/);
  assert.match(dc, /<domain>qemu<\/domain>/);
});

test('node info matches virsh nodeinfo', { skip }, async () => {
  const info = await lv.nodeInfo();
  const text = await virsh('nodeinfo');
  assert.match(text, new RegExp(`CPU model:\\s+${info.model}\\n`));
  assert.match(text, new RegExp(`CPU\\(s\\):\\s+${info.cpus}\\n`));
  assert.match(text, new RegExp(`Memory size:\\s+${info.memoryKiB} KiB\\n`));
});

test('domain list and states agree with virsh (domains present before and after)', { skip }, async () => {
  const before = new Set((await virsh('list', '--all', '--name')).split('\n').filter(Boolean));
  const ours = await lv.domains.list();
  const withState = await lv.domains.listWithState();
  const afterList = new Set((await virsh('list', '--all', '--name')).split('\n').filter(Boolean));
  const stable = [...before].filter((n) => afterList.has(n));
  const names = new Set(ours.map((d) => d.name));
  for (const n of stable) assert.ok(names.has(n), `${n} listed by virsh before and after`);
  // (Names seen only by us belong to short-lived domains of tests running in parallel.)
  assert.ok(names.has(name));
  const mine = withState.find((s) => s.domain.name === name);
  assert.equal(mine?.state, 'shutoff');
  assert.equal((await virsh('domstate', name)).trim(), 'shut off');
  const d = await lv.domains.lookup(name);
  assert.equal(d.uuid, (await virsh('domuuid', name)).trim());
  assert.equal(d.id, -1);
  // Defined and never started: VIR_DOMAIN_SHUTOFF_UNKNOWN (0), which virsh prints as "unknown".
  assert.deepEqual(await d.state(), { state: 'shutoff', reason: 0 });
  assert.equal((await virsh('domstate', '--reason', name)).trim(), 'shut off (unknown)');
  const byUuid = await lv.domains.lookup(d.uuid);
  assert.equal(byUuid.name, name);
});

test('domain XML equals virsh dumpxml (live and inactive)', { skip }, async () => {
  const d = await lv.domains.lookup(name);
  assert.equal((await d.xml()).trim(), (await virsh('dumpxml', name)).trim());
  assert.equal(
    (await d.xml(DomainXmlFlags.INACTIVE)).trim(),
    (await virsh('dumpxml', '--inactive', name)).trim(),
  );
});

test('metadata and autostart round-trip and are visible to virsh', { skip }, async () => {
  const d = await lv.domains.lookup(name);
  await d.setMetadata(0, 'phyllome test description');
  assert.equal(await d.metadata(0), 'phyllome test description');
  assert.equal((await virsh('desc', name)).trim(), 'phyllome test description');
  const ns = 'https://phyllo.me/xmlns/test/1.0';
  await d.setMetadata(2, '<probe value="1"/>', { key: 'phyllotest', uri: ns });
  assert.match(await d.metadata(2, ns), /<probe value="1"\/>/);
  assert.equal(await d.autostart(), false);
  assert.equal(await d.hasManagedSaveImage(), false);
});

test('errors are typed: a missing domain is NO_DOMAIN and isNotFound', { skip }, async () => {
  await assert.rejects(lv.domains.lookup(uniqueName('missing')), (err: unknown) => {
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.libvirtCode, ErrorCode.NO_DOMAIN);
    assert.ok(isNotFound(err));
    assert.match(err.message, /Domain not found/);
    return true;
  });
});

test('an unknown procedure comes back as RPC error 39 from the real daemon', { skip }, async () => {
  const bogus = { ...Proc.ConnectGetHostname, name: 'Bogus', num: 9999 };
  await assert.rejects(lv.rpc.call(bogus, undefined), (err: unknown) => {
    assert.ok(err instanceof LibvirtError);
    assert.equal(err.libvirtCode, ErrorCode.RPC);
    assert.match(err.message, /unknown procedure/);
    return true;
  });
});

/**
 * Everything virsh lists both before and after our own list must be in ours (other tests add and
 * remove objects meanwhile). Returns ours.
 */
async function assertStableSubset(listOurs: () => Promise<string[]>, virshArgs: string[]): Promise<string[]> {
  const list = async (): Promise<Set<string>> =>
    new Set(
      (await virsh(...virshArgs))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  const before = await list();
  const ours = await listOurs();
  const after = await list();
  const mine = new Set(ours);
  const stable = [...before].filter((n) => after.has(n));
  assert.ok(stable.length > 0 || ours.length === 0);
  for (const n of stable)
    assert.ok(mine.has(n), `${n} listed by virsh (${virshArgs.join(' ')}) but not by us`);
  return ours;
}

test('networks and node devices agree with virsh', { skip }, async () => {
  const nets = await assertStableSubset(
    async () => (await lv.networks.list()).map((n) => n.name),
    ['net-list', '--all', '--name'],
  );
  const net = nets.find((n) => n === 'default');
  if (net) {
    const n = await lv.networks.lookup(net);
    assert.equal((await n.xml()).trim(), (await virsh('net-dumpxml', net)).trim());
  }
  const devs = await lv.nodeDevices.list();
  await assertStableSubset(async () => (await lv.nodeDevices.list()).map((d) => d.name), ['nodedev-list']);
  const first = devs.find((d) => d.name === 'computer') ?? devs[0];
  if (first) assert.match(await first.xml(), /<device>/);
});

test('500 concurrent calls on one connection all get the right answers', { skip }, async () => {
  const d = await lv.domains.lookup(name);
  const host = await lv.hostname();
  const jobs: Promise<boolean>[] = [];
  for (let i = 0; i < 500; i++) {
    switch (i % 4) {
      case 0:
        jobs.push(lv.hostname().then((h) => h === host));
        break;
      case 1:
        jobs.push(lv.domains.lookup(name).then((x) => x.uuid === d.uuid));
        break;
      case 2:
        jobs.push(lv.libVersion().then((v) => v.major >= 1));
        break;
      default:
        jobs.push(
          lv.domains.lookup(`${name}-nope-${i}`).then(
            () => false,
            (e: unknown) => isNotFound(e),
          ),
        );
    }
  }
  const ok = await Promise.all(jobs);
  assert.equal(ok.filter(Boolean).length, 500);
});
