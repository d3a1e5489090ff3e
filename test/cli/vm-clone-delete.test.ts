// `phyllo vm clone|delete|snapshot` as a user runs them (bin/phyllo, the real system daemon): typed
// errors with --json, and a clone + snapshot + delete round trip that leaves no file behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { uniqueName } from '../libvirt/helpers.js';
import { defineUefiGuest, IMAGES } from '../support/uefi-guest.js';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'phyllo');
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
