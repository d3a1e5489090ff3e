/**
 * `createVm` on the real system daemon when a step fails after it changed things: the network it
 * defined and started, the storage pool and directory it created and the disk image are all undone,
 * and the error is the daemon's refusal. Each test uses its own network, pool and image directory,
 * so the machine's `default` network and pool, which other tests use, are never touched.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isNotFound, LibvirtError, type Libvirt } from '../../src/libvirt/index.js';
import { UndoList } from '../../src/jobs/undo-list.js';
import { createVm, poolFor, type CreateVmStep } from '../../src/machines/create-vm.js';
import { ensureNetwork } from '../../src/machines/networks.js';
import { VmCreateError } from '../../src/machines/errors.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';
import { tcgDomainXml, uniqueName } from '../libvirt/helpers.js';
import { freeGatewayAddress } from '../support/free-subnet.js';

let lv: Libvirt;
let host: ModelHostFacts;
const cleanup: (() => Promise<unknown>)[] = [];

before(async () => {
  lv = await connect('qemu:///system');
  host = await gatherModelHostFacts(lv);
});
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await lv.close();
});

/** A fresh network name with an isolated network definition (own bridge and subnet), and a missing image directory. */
function scene(prefix: string) {
  const name = uniqueName(prefix);
  const network = `${name}-net`;
  const bridge = `phr${randomInt(1e6)}`;
  const xml = `<network><name>${network}</name><bridge name='${bridge}'/><ip address='${freeGatewayAddress(253)}' netmask='255.255.255.0'/></network>`;
  const dir = join(tmpdir(), name);
  const disk = join(dir, `${name}.qcow2`);
  const pool = `phyllome-${name}`;
  cleanup.push(async () => {
    const d = await lv.domains.lookup(name).catch(() => undefined);
    await d?.undefine().catch(() => undefined);
    const n = await lv.networks.lookup(network).catch(() => undefined);
    await n?.destroy().catch(() => undefined);
    await n?.undefine().catch(() => undefined);
    const p = await lv.pools.lookup(pool).catch(() => undefined);
    await p?.destroy().catch(() => undefined);
    await p?.undefine().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const options = { name, os: 'linux', memory: '1G', vcpus: 1, diskSize: '16M', network };
  const deps = {
    systemImageDir: dir,
    networkDefinition: (n: string) => (n === network ? xml : undefined),
  };
  return { name, network, dir, disk, pool, options, deps };
}

async function gone(p: Promise<unknown>): Promise<boolean> {
  return p.then(
    () => false,
    (err: unknown) => {
      if (isNotFound(err)) return true;
      throw err;
    },
  );
}

test('the daemon refuses the define (the name was taken meanwhile): network, pool, directory and disk are undone', async () => {
  const s = scene('rb-define');
  assert.equal(await gone(lv.networks.lookup(s.network)), true);
  assert.equal(existsSync(s.dir), false);
  const seen: CreateVmStep[] = [];
  let clash = '';
  const err = await createVm(lv, s.options, host, {
    ...s.deps,
    beforeStep: async (step) => {
      seen.push(step);
      if (step !== 'define') return;
      // Everything the rollback must undo is really there now.
      const net = await lv.networks.lookup(s.network);
      assert.equal(await net.isActive(), true);
      assert.equal(await net.autostart(), true);
      const pool = await lv.pools.lookup(s.pool);
      assert.equal(await pool.isActive(), true);
      const vol = await lv.volumes.lookupByPath(s.disk);
      assert.equal((await vol.info()).capacity, 16n * 1024n * 1024n);
      assert.equal(existsSync(s.disk), true);
      // Another client defines a VM of the same name between our name check and our define.
      clash = (await lv.domains.define(tcgDomainXml(s.name))).uuid;
    },
  }).then(
    () => assert.fail('createVm should have failed'),
    (e: unknown) => e,
  );
  assert.deepEqual(seen, ['network', 'pool', 'disk', 'define']);
  assert.ok(err instanceof VmCreateError, String(err));
  assert.equal(err.code, 'vm-create-failed');
  assert.ok(err.cause instanceof LibvirtError, 'the thrown error keeps the daemon refusal as its cause');
  assert.match(err.message, /\(defining it on libvirt\): .*already exists/);
  assert.deepEqual(err.leftBehind, []);
  assert.match(err.hint ?? '', /Nothing was left behind/);

  // Nothing of ours is left: the only domain of that name is the other client's, untouched.
  assert.equal((await lv.domains.lookup(s.name)).uuid, clash);
  assert.equal(await gone(lv.networks.lookup(s.network)), true, 'network undefined');
  assert.equal(await gone(lv.pools.lookup(s.pool)), true, 'pool undefined');
  assert.equal(await gone(lv.volumes.lookupByPath(s.disk)), true, 'volume deleted');
  assert.equal(existsSync(s.disk), false, 'disk file deleted');
  assert.equal(existsSync(s.dir), false, 'the directory the pool build created is removed');
  const stillThere = (await lv.networks.list()).map((n) => n.name);
  assert.ok(!stillThere.includes(s.network));
});

test('the disk is refused (a file appeared there): the network and pool are undone, the stranger file and its directory stay, and the error says what was left', async () => {
  const s = scene('rb-disk');
  const err = await createVm(lv, s.options, host, {
    ...s.deps,
    beforeStep: async (step) => {
      if (step !== 'disk') return;
      writeFileSync(s.disk, 'not ours');
      await (await lv.pools.lookup(s.pool)).refresh();
    },
  }).then(
    () => assert.fail('createVm should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof VmCreateError, String(err));
  assert.ok(err.cause instanceof LibvirtError);
  assert.match(err.message, /\(creating its disk .*\.qcow2\): /);
  // The pool's directory holds a file that is not ours, so it cannot (and must not) be removed.
  assert.equal(err.leftBehind.length, 1, err.leftBehind.join('\n'));
  assert.match(err.leftBehind[0]!, new RegExp(`created the directory ${s.dir} \\(undo failed: `));
  assert.match(err.message, /Left behind: created the directory/);
  assert.match(err.hint ?? '', /by hand/);
  assert.equal(readFileSync(s.disk, 'utf8'), 'not ours');
  assert.equal(await gone(lv.domains.lookup(s.name)), true, 'no domain');
  assert.equal(await gone(lv.networks.lookup(s.network)), true, 'network undefined');
  assert.equal(await gone(lv.pools.lookup(s.pool)), true, 'pool undefined');
});

test('a network that existed but was stopped is stopped again, not removed, when the define fails', async () => {
  const s = scene('rb-stopped');
  const xml = s.deps.networkDefinition(s.network)!;
  const net = await lv.networks.define(xml);
  const err = await createVm(lv, s.options, host, {
    ...s.deps,
    beforeStep: async (step) => {
      if (step === 'define') await lv.domains.define(tcgDomainXml(s.name));
    },
  }).then(
    () => assert.fail('createVm should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof VmCreateError, String(err));
  assert.deepEqual(err.leftBehind, []);
  const after = await lv.networks.lookup(s.network);
  assert.equal(after.uuid, net.uuid, 'the same network is still defined');
  assert.equal(await after.isActive(), false, 'stopped again');
  assert.equal(await after.autostart(), false, 'its autostart untouched');
});

test('a network that does not exist (and has no definition) stays its own typed error, and nothing is created', async () => {
  const s = scene('rb-nonet');
  await assert.rejects(createVm(lv, s.options, host, { systemImageDir: s.dir }), { code: 'network-missing' });
  assert.equal(await gone(lv.domains.lookup(s.name)), true);
  assert.equal(await gone(lv.pools.lookup(s.pool)), true);
  assert.equal(existsSync(s.dir), false);
});

test('two creates at once where no pool exists yet: both get the one pool, only its maker may take it back', async () => {
  const s = scene('rb-race');
  // Two connections, as two `phyllo vm create` processes: each scans, finds no pool, defines one.
  const other = await connect('qemu:///system');
  try {
    const undos = [new UndoList(), new UndoList()];
    const pools = await Promise.all([poolFor(lv, s.dir, undos[0]!), poolFor(other, s.dir, undos[1]!)]);
    assert.deepEqual(
      pools.map((p) => p.pool.name),
      [s.pool, s.pool],
    );
    assert.equal(await pools[0]!.pool.isActive(), true);
    assert.ok(existsSync(s.dir));
    // The one that lost the race recorded nothing to undo: undoing it leaves the pool to its maker.
    const [maker, loser] = undos[0]!.length > 0 ? [undos[0]!, undos[1]!] : [undos[1]!, undos[0]!];
    assert.equal(loser.length, 0, 'the second client changed nothing');
    assert.deepEqual(await loser.run(), []);
    assert.equal(await (await lv.pools.lookup(s.pool)).isActive(), true);
    assert.deepEqual(await maker.run(), []);
    assert.equal(await gone(lv.pools.lookup(s.pool)), true);
    assert.equal(existsSync(s.dir), false, 'the maker built the directory, and removed it');
  } finally {
    await other.close();
  }
});

test('two creates at once where their network is not defined yet: one defines it, both use it, it runs', async () => {
  const s = scene('rb-netrace');
  const other = await connect('qemu:///system');
  try {
    const xml = s.deps.networkDefinition(s.network)!;
    const undos = [new UndoList(), new UndoList()];
    const got = await Promise.all([
      ensureNetwork(lv, s.network, xml, undefined, undos[0]),
      ensureNetwork(other, s.network, xml, undefined, undos[1]),
    ]);
    assert.deepEqual(
      got.map((g) => g.network.name),
      [s.network, s.network],
    );
    assert.equal(got.filter((g) => g.defined).length, 1, 'defined once');
    assert.equal(await (await lv.networks.lookup(s.network)).isActive(), true);
    for (const u of undos.reverse()) await u.run();
    assert.equal(await gone(lv.networks.lookup(s.network)), true);
  } finally {
    await other.close();
  }
});
