// `phyllo vm clone|delete|snapshot` as a user runs them (bin/phyllo, the real system daemon): typed
// errors with --json, and a clone + snapshot + delete round trip that leaves no file behind.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { uniqueName } from '../libvirt/helpers.js';
import { defineUefiGuest, IMAGES } from '../support/uefi-guest.js';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'phyllo');
const run = promisify(execFile);
let lv: Libvirt;
const name = uniqueName('clicl');
const clone = `${name}-b`;

function phyllo(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  return new Promise((resolve) => {
    execFile(BIN, [...args, '--json'], (err, stdout) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, json: JSON.parse(stdout) as Record<string, unknown> }),
    );
  });
}
const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code?: string } | undefined)?.code;

before(async () => {
  lv = await connect('qemu:///system');
  await defineUefiGuest(lv, name, 16);
});
after(async () => {
  for (const vm of [clone, name]) await deleteVm(lv, vm, { force: true }).catch(() => undefined);
  await lv.close();
});

test('bad input: unknown VM, invalid clone name, missing snapshot name, unknown snapshot; each typed, nothing made', async () => {
  assert.equal(code(await phyllo('vm', 'clone', `${name}-nope`, 'x')), 'vm-not-found');
  assert.equal(code(await phyllo('vm', 'clone', name, '../x')), 'invalid-name');
  assert.equal(code(await phyllo('vm', 'delete', `${name}-nope`)), 'vm-not-found');
  assert.equal(code(await phyllo('vm', 'snapshot', 'create', name)), 'invalid-input');
  assert.equal(code(await phyllo('vm', 'snapshot', 'revert', name, 'nope')), 'snapshot-not-found');
  assert.deepEqual(
    readdirSync(IMAGES).filter((f) => f.startsWith(name)),
    [`${name}.qcow2`],
  );
});

test('clone, snapshot, list, delete both: the JSON documents say what happened, and nothing is left', async () => {
  const c = await phyllo('vm', 'clone', name, clone);
  assert.equal(c.code, 0, JSON.stringify(c.json));
  assert.equal(c.json.linked, true);
  // vm info finds the clone from the chain records: the source lists it, the clone lists no one.
  assert.deepEqual((await phyllo('vm', 'info', name)).json.dependentClones, [clone]);
  assert.deepEqual((await phyllo('vm', 'info', clone)).json.dependentClones, []);
  assert.equal((await phyllo('vm', 'snapshot', 'create', clone, 's1')).code, 0);
  const list = await phyllo('vm', 'snapshot', 'list', clone);
  assert.deepEqual(
    (list.json.snapshots as { name: string }[]).map((s) => s.name),
    ['s1'],
  );
  const d1 = await phyllo('vm', 'delete', name);
  assert.equal(d1.code, 0);
  assert.ok((d1.json.kept as { path: string }[]).some((k) => k.path === join(IMAGES, `${name}.qcow2`)));
  const d2 = await phyllo('vm', 'delete', clone);
  assert.equal(d2.code, 0);
  assert.deepEqual(d2.json.snapshots, ['s1']);
  assert.deepEqual(
    readdirSync(IMAGES).filter((f) => f.startsWith(name)),
    [],
  );
});

test('an image brought with --disk-image is kept by delete, and its linked clone base too, unless --delete-images', async () => {
  const own = uniqueName('cliimg');
  const pool = await lv.pools.lookup('default');
  const vol = await pool.volumes.create(
    `<volume><name>${own}.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>`,
  );
  const path = await vol.path();
  const meta = `<metadata><phyllome:vm xmlns:phyllome="https://phyllo.me/xmlns/vm/1.0"><phyllome:options><phyllome:option name="disk-image">${path}</phyllome:option></phyllome:options></phyllome:vm></metadata>`;
  const xml = (vm: string) =>
    `<domain type='qemu'><name>${vm}</name>${meta}<memory unit='MiB'>64</memory><os><type arch='x86_64' machine='q35'>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${path}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`;
  try {
    await lv.domains.define(xml(own));
    const kept = await phyllo('vm', 'delete', own);
    assert.equal(kept.code, 0);
    assert.deepEqual(kept.json.removed, []);
    assert.match((kept.json.kept as { why: string }[])[0]!.why, /--disk-image/);
    assert.ok(readdirSync(IMAGES).includes(`${own}.qcow2`));

    // Cloned, the user's image becomes the base of both; deleting both keeps it, as it is theirs.
    await lv.domains.define(xml(own));
    assert.equal((await phyllo('vm', 'clone', own, `${own}-c`)).code, 0);
    assert.deepEqual((await phyllo('vm', 'info', own)).json.dependentClones, [`${own}-c`]);
    assert.equal((await phyllo('vm', 'delete', `${own}-c`)).code, 0);
    assert.deepEqual((await phyllo('vm', 'info', own)).json.dependentClones, [], 'the clone is gone');
    const last = await phyllo('vm', 'delete', own);
    assert.ok((last.json.kept as { path: string }[]).some((k) => k.path === path));
    assert.deepEqual(
      readdirSync(IMAGES).filter((f) => f.startsWith(own)),
      [`${own}.qcow2`],
    );

    await lv.domains.define(xml(own));
    const gone = await phyllo('vm', 'delete', own, '--delete-images');
    assert.deepEqual(gone.json.removed, [path]);
    assert.deepEqual(
      readdirSync(IMAGES).filter((f) => f.startsWith(own)),
      [],
    );
  } finally {
    for (const vm of [`${own}-c`, own]) await deleteVm(lv, vm, { force: true }).catch(() => undefined);
    await vol.delete().catch(() => undefined);
  }
});

test('Ctrl-C (SIGINT to the CLI) during a full clone cancels it: exit 1 with "cancelled", no domain, no copy', async () => {
  const big = uniqueName('clisig');
  const disk = join(IMAGES, `${big}.raw`);
  await run('truncate', ['-s', '1G', disk]);
  await run('dd', ['if=/dev/urandom', `of=${disk}`, 'bs=4M', 'count=128', 'conv=notrunc']);
  await (await lv.pools.lookup('default')).refresh();
  await lv.domains.define(
    `<domain type='qemu'><name>${big}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='q35'>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
  );
  try {
    const child = spawn(BIN, ['vm', 'clone', big, `${big}-f`, '--full'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    // The first progress line means the copy is under way: interrupt it there.
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (!interrupted && /copying/.test(stderr)) interrupted = child.kill('SIGINT');
    });
    const exit = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    assert.equal(exit, 1, stdout + stderr);
    assert.match(stderr, /cancelled/);
    assert.match(stderr, /Nothing was left behind/);
    await assert.rejects(lv.domains.lookup(`${big}-f`));
    assert.deepEqual(
      readdirSync(IMAGES).filter((f) => f.startsWith(big)),
      [`${big}.raw`],
    );
  } finally {
    await deleteVm(lv, `${big}-f`, { force: true }).catch(() => undefined);
    await deleteVm(lv, big, { force: true }).catch(() => undefined);
  }
});
