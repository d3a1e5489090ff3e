// `phyllo vm list` and `phyllo vm info` through bin/phyllo on the real system daemon: a defined VM with a
// qcow2 disk, a snapshot and our metadata; a linked clone of it (a qcow2 overlay); a running test guest.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MetadataType, type Libvirt } from '../../src/libvirt/index.js';
import { phyllomeCacheDir } from '../../src/host/cache-dir.js';
import { PHYLLOME_NS } from '../../src/model/domain-xml/build-domain.js';
import type { VmListEntry } from '../../src/machines/vm-list.js';
import type { VmInfoReport } from '../../src/cli/commands/vm-info.js';
import { openSystem, uniqueName } from '../libvirt/helpers.js';
import { qemuImgInfo } from '../support/qemu-img-info.js';
import { testGuestDomainXml } from '../support/test-guest.js';

const BIN = fileURLToPath(new URL('../../../bin/phyllo', import.meta.url));
const IMAGES = '/var/lib/libvirt/images';
const base = uniqueName('list-base');
const clone = uniqueName('list-clone');
const running = uniqueName('list-run');
const baseDisk = join(IMAGES, `${base}.qcow2`);
const cloneDisk = join(IMAGES, `${clone}.qcow2`);
let lv: Libvirt;

function phyllo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, [...args, '--connect', 'qemu:///system'], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function json<T>(...args: string[]): Promise<T> {
  const r = await phyllo(...args, '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as T;
}

const diskXml = (path: string) =>
  `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${path}'/><target dev='vda' bus='virtio'/></disk>`;

before(async () => {
  lv = await openSystem();
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', baseDisk, '64M']);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', baseDisk, cloneDisk]);
  // The default pool lists the two images (as after `virsh pool-refresh`): vm info reads what stands on
  // what through libvirt's storage API, not from the files.
  await (await lv.pools.lookup('default')).refresh();
  const b = await lv.domains.define(
    testGuestDomainXml({ name: base, memoryMiB: 128, vcpus: 2, extraDevices: diskXml(baseDisk) }),
  );
  await b.setMetadata(
    MetadataType.ELEMENT,
    '<vm><profile>linux</profile><os>linux</os><model-version>1</model-version><options/></vm>',
    {
      key: 'phyllome',
      uri: PHYLLOME_NS,
    },
  );
  await b.snapshots.create(`<domainsnapshot><name>before-upgrade</name></domainsnapshot>`);
  await lv.domains.define(testGuestDomainXml({ name: clone, extraDevices: diskXml(cloneDisk) }));
  await lv.domains.create(
    testGuestDomainXml({
      name: running,
      extraDevices: `<graphics type='vnc' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>`,
    }),
  );
});

after(async () => {
  for (const name of [running, clone, base]) {
    const d = await lv.domains.lookup(name).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    for (const s of (await d?.snapshots.list().catch(() => [])) ?? [])
      await s.delete(2).catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  for (const path of [cloneDisk, baseDisk]) {
    // Through the pool, which lists them, then the file in case the pool did not.
    await (await lv.volumes.lookupByPath(path).catch(() => undefined))?.delete().catch(() => undefined);
    rmSync(path, { force: true });
  }
  await lv.close();
});

test('vm list --json: state, OS, vCPUs, memory and disk use for every VM; uptime and memory in use only for the running one', async () => {
  const list = await json<VmListEntry[]>('vm', 'list');
  const by = (n: string) => list.find((e) => e.name === n)!;
  assert.ok(by(base) && by(clone) && by(running), 'all three are listed');
  const [b, r] = [by(base), by(running)];
  assert.equal(b.state, 'shutoff');
  assert.equal(b.os, 'linux', 'the OS from our metadata');
  assert.equal(b.vcpus, 2);
  assert.equal(b.memoryBytes, 128 * 2 ** 20);
  assert.equal(b.diskCapacityBytes, 64 * 2 ** 20);
  const allocated = qemuImgInfo(baseDisk)['actual-size']!;
  assert.ok(b.diskAllocationBytes! > 0 && b.diskAllocationBytes! <= allocated + 2 ** 20);
  assert.equal(b.uptimeSeconds, null);
  assert.equal(b.memoryInUseBytes, null);
  assert.equal(r.state, 'running');
  assert.equal(r.os, null, 'no metadata: no OS, not a guess');
  assert.ok(r.memoryInUseBytes! > 0, 'QEMU’s resident memory');
  // The QEMU process's age, as ps counts it, within the seconds between the two reads.
  const pid = readFileSync(`/run/libvirt/qemu/${running}.pid`, 'utf8').trim();
  const etimes = Number(execFileSync('ps', ['-o', 'etimes=', '-p', pid], { encoding: 'utf8' }).trim());
  assert.ok(
    typeof r.uptimeSeconds === 'number' && Math.abs(r.uptimeSeconds - etimes) <= 5,
    `${r.uptimeSeconds} vs ${etimes}`,
  );
  assert.equal(r.cpuPercent, null, 'no CPU % without the second sample');
});

test("vm list remembers a shut-off VM's OS only while its definition is unchanged: a new OS in the metadata shows at once", async () => {
  const osOf = async () => (await json<VmListEntry[]>('vm', 'list')).find((e) => e.name === base)?.os;
  assert.equal(await osOf(), 'linux');
  assert.equal(await osOf(), 'linux', 'the second list answers from the cache');
  const dom = await lv.domains.lookup(base);
  const cached = readdirSync(phyllomeCacheDir())
    .filter((f) => /^shutoff-vms-system\.json$/.test(f))
    .map(
      (f) => JSON.parse(readFileSync(join(phyllomeCacheDir(), f), 'utf8')) as Record<string, { os: string }>,
    );
  assert.ok(
    cached.some((c) => c[dom.uuid]?.os === 'linux'),
    'the list remembered the OS by UUID',
  );
  const set = (os: string) =>
    dom.setMetadata(
      MetadataType.ELEMENT,
      `<vm><profile>linux</profile><os>${os}</os><model-version>1</model-version><options/></vm>`,
      { key: 'phyllome', uri: PHYLLOME_NS, flags: 2 /* VIR_DOMAIN_AFFECT_CONFIG */ },
    );
  try {
    await set('debian12');
    assert.equal(await osOf(), 'debian12', 'libvirt rewrote the definition file: asked again');
  } finally {
    await set('linux');
  }
  assert.equal(await osOf(), 'linux');
});

test("vm list remembers a shut-off VM's stats only while its definition and disk files are unchanged: data written and vCPUs set show at once", async () => {
  const entry = async () => (await json<VmListEntry[]>('vm', 'list')).find((e) => e.name === clone)!;
  const first = await entry();
  assert.equal((await entry()).diskAllocationBytes, first.diskAllocationBytes);
  const dom = await lv.domains.lookup(clone);
  const cache = JSON.parse(
    readFileSync(join(phyllomeCacheDir(), 'shutoff-vms-system.json'), 'utf8'),
  ) as Record<string, { stats?: { disks: Record<string, string> } }>;
  assert.ok(
    cache[dom.uuid]?.stats?.disks[cloneDisk],
    'the list remembered the stats with the disk file seen',
  );
  // 4 MiB written into the disk: a new size and mtime, so the next list asks libvirt again.
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 4M', cloneDisk], { stdio: 'ignore' });
  const written = await entry();
  assert.ok(
    written.diskAllocationBytes! >= first.diskAllocationBytes! + 4 * 2 ** 20,
    `${written.diskAllocationBytes} after ${first.diskAllocationBytes}`,
  );
  assert.equal((await entry()).diskAllocationBytes, written.diskAllocationBytes);
  const r = await phyllo('vm', 'set', clone, '--vcpus', '3');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await entry()).vcpus, 3, 'a new definition: asked again');
});

test('vm list --cpu: a CPU % for the running VM from two samples, none for shut-off ones', async () => {
  const list = await json<VmListEntry[]>('vm', 'list', '--cpu');
  const r = list.find((e) => e.name === running)!;
  assert.equal(typeof r.cpuPercent, 'number');
  assert.ok(r.cpuPercent! >= 0);
  assert.equal(list.find((e) => e.name === base)!.cpuPercent, null);
  const human = await phyllo('vm', 'list', '--cpu');
  assert.match(human.stdout, new RegExp(`^${running}\\s+running\\s.*\\d+(\\.\\d)?%`, 'm'));
});

test('vm info: disks with allocation and backing chain, snapshots, the clone that depends on it, NVRAM/TPM, model reasons re-derived', async () => {
  const b = await json<VmInfoReport>('vm', 'info', base);
  assert.equal(b.disks.length, 1);
  assert.equal(b.disks[0]!.source, baseDisk);
  assert.equal(b.disks[0]!.capacityBytes, 64 * 2 ** 20);
  assert.deepEqual(
    b.disks[0]!.backingChain!.map((i) => i.path),
    [baseDisk],
  );
  assert.deepEqual(
    b.snapshots.map((s) => s.name),
    ['before-upgrade'],
  );
  assert.deepEqual(b.dependentClones, [clone]);
  assert.equal(b.nvram, null, 'BIOS: no UEFI variables');
  assert.equal(b.tpm, null);
  assert.equal(b.model.source, 're-derived');
  assert.ok(b.model.source === 're-derived' && b.model.decisions.some((d) => d.topic === 'domain-type'));

  const c = await json<VmInfoReport>('vm', 'info', clone);
  assert.deepEqual(
    c.disks[0]!.backingChain!.map((i) => i.path),
    [cloneDisk, baseDisk],
  );
  assert.deepEqual(c.dependentClones, []);
  assert.equal(c.model.source, 'unavailable', 'not created by phyllo: nothing to re-derive from');

  const r = await json<VmInfoReport>('vm', 'info', running);
  const live = await (await lv.domains.lookup(running)).xml();
  const port = /<graphics type='vnc' port='(\d+)'/.exec(live)![1];
  assert.deepEqual(r.displays, [{ type: 'vnc', listen: '127.0.0.1', address: `vnc://127.0.0.1:${port}` }]);
  const human = await phyllo('vm', 'info', base);
  assert.match(human.stdout, /Model choices, re-derived now from the options recorded at creation/);
  assert.match(human.stdout, new RegExp(`Clones of it\\s+${clone}`));
  assert.match(human.stdout, /^Autostart\s+off$/m);
});

test('vm info: autostart off, then on after `vm autostart NAME on` (libvirt’s flag, read again)', async () => {
  assert.equal((await json<VmInfoReport>('vm', 'info', base)).autostart, false);
  await json('vm', 'autostart', base, 'on');
  try {
    assert.equal((await json<VmInfoReport>('vm', 'info', base)).autostart, true);
    assert.equal(await (await lv.domains.lookup(base)).autostart(), true);
    const human = await phyllo('vm', 'info', base);
    assert.match(human.stdout, /^Autostart\s+on \(starts when the libvirt daemon starts\)$/m);
  } finally {
    await json('vm', 'autostart', base, 'off');
  }
  assert.equal((await json<VmInfoReport>('vm', 'info', base)).autostart, false);
});

test('an unknown VM: vm-not-found, exit 1, nothing on stdout but the JSON error', async () => {
  const name = uniqueName('list-none');
  const r = await phyllo('vm', 'info', name, '--json');
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).error.code, 'vm-not-found');
  const h = await phyllo('vm', 'info', name);
  assert.equal(h.code, 1);
  assert.match(h.stderr, new RegExp(`no VM named "${name}"`));
});
