/**
 * `vm edit` and `vm set` on the real system daemon, on a VM `vm create` made (so our metadata and
 * the model's limits are there): the editor is a script that rewrites the file, a refused edit keeps
 * the VM as it was, and `set` changes the definition always and the running VM where libvirt can.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as edit } from '../../src/cli/commands/vm-edit.js';
import { run as set } from '../../src/cli/commands/vm-set.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { SetOutcome } from '../../src/machines/set-vm.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { withVmLock } from '../../src/machines/vm-lock.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const vm = uniqueName('edit');
const env = { EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL };

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });

/** An editor: a shell script that gets the file as $1. */
function editor(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nset -e\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function inactiveXml(): Promise<string> {
  return (await lv.domains.lookup(vm)).xml(DomainXmlFlags.INACTIVE);
}

const rejects = rejectsWith;

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-edit-test-'));
  delete process.env.VISUAL;
  lv = await connect('qemu:///system');
  await create(ctx([vm], { os: 'linux', memory: '2G', vcpus: '2', 'disk-size': 'none', display: 'none' }));
});
after(async () => {
  if (!isRoot) return;
  Object.assign(process.env, env);
  const d = await lv.domains.lookup(vm).catch(() => undefined);
  await d?.destroy().catch(() => undefined);
  await d?.undefine(4 | 32).catch(() => undefined);
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('vm edit: an editor that saves the file as it was changes nothing', { skip }, async () => {
  process.env.EDITOR = editor('same.sh', 'touch "$1"');
  const before = await inactiveXml();
  const r = await edit(ctx([vm]));
  assert.deepEqual(r.data, { name: vm, changed: false, running: false });
  assert.match(r.human(), /unchanged/);
  assert.equal(await inactiveXml(), before);
});

test('vm edit: a valid change is redefined, and our metadata stays', { skip }, async () => {
  process.env.EDITOR = editor(
    'valid.sh',
    `sed -i 's|<on_reboot>[a-z]*</on_reboot>|<on_reboot>destroy</on_reboot>|' "$1"`,
  );
  assert.doesNotMatch(await inactiveXml(), /<on_reboot>destroy<\/on_reboot>/);
  const r = await edit(ctx([vm]));
  assert.equal((r.data as { changed: boolean }).changed, true);
  const xml = await inactiveXml();
  assert.match(xml, /<on_reboot>destroy<\/on_reboot>/);
  assert.match(xml, /https:\/\/phyllo\.me\/xmlns\/vm\/1\.0/);
});

test('vm edit: XML libvirt refuses is its error, and the VM is unchanged', { skip }, async () => {
  const before = await inactiveXml();
  process.env.EDITOR = editor('invalid.sh', `sed -i 's|<devices>|<devices><frobnicator/>|' "$1"`);
  await rejects(edit(ctx([vm])), 'vm-edit-rejected', /libvirt refused the edited XML/);
  process.env.EDITOR = editor('broken.sh', `sed -i 's|</domain>||' "$1"`);
  await rejects(edit(ctx([vm])), 'vm-edit-rejected', /libvirt refused the edited XML/);
  process.env.EDITOR = editor('rename.sh', `sed -i 's|<name>${vm}</name>|<name>${vm}-2</name>|' "$1"`);
  await rejects(edit(ctx([vm])), 'vm-edit-identity-changed', /changes the name/);
  process.env.EDITOR = editor('fails.sh', 'exit 3');
  await rejects(edit(ctx([vm])), 'editor-failed', /exited with status 3/);
  assert.equal(await inactiveXml(), before);
  await assert.rejects(lv.domains.lookup(`${vm}-2`));
  await rejects(edit(ctx(['phyllo-no-such-vm-edit'])), 'vm-not-found', /no VM named/);
});

test('vm set: limits are the model’s, checked before anything changes', { skip }, async () => {
  const before = await inactiveXml();
  await rejects(set(ctx([vm], { memory: '512M' })), 'memory-below-minimum', /needs at least 1024 MiB/);
  await rejects(set(ctx([vm], { memory: '100T', vcpus: '1' })), 'memory-above-host', /host only has/);
  await rejects(set(ctx([vm], { vcpus: '0' })), 'invalid-option', /--vcpus/);
  await rejects(set(ctx([vm], { memory: 'lots' })), 'invalid-option', /--memory/);
  await rejects(set(ctx([vm], {})), 'invalid-input', /Nothing to set/);
  assert.equal(await inactiveXml(), before);
});

test('vm set on a shut-off VM: everything at the next start, autostart now', { skip }, async () => {
  const r = (await set(ctx([vm], { memory: '1536M', vcpus: '3', autostart: 'on' }))).data as SetOutcome;
  assert.deepEqual(
    r.changes.map((c) => [c.setting, c.value, c.applies]),
    [
      ['vcpus', '3', 'next-start'],
      ['memory', '1536 MiB', 'next-start'],
      ['autostart', 'on', 'now'],
    ],
  );
  const xml = await inactiveXml();
  assert.match(xml, /<vcpu placement='static'>3<\/vcpu>/);
  assert.match(xml, /<topology sockets='1' dies='1' cores='3' threads='1'\/>/);
  assert.match(xml, /<memory unit='KiB'>1572864<\/memory>/);
  assert.match(xml, /<currentMemory unit='KiB'>1572864<\/currentMemory>/);
  assert.equal(await (await lv.domains.lookup(vm)).autostart(), true);
  await set(ctx([vm], { autostart: 'off' }));
  assert.equal(await (await lv.domains.lookup(vm)).autostart(), false);
});

test(
  'vm set on a running VM: memory through the balloon, vCPUs above the maximum at the next start',
  { skip },
  async () => {
    const dom = await lv.domains.lookup(vm);
    await dom.start();
    const r = (await set(ctx([vm], { memory: '1G', vcpus: '4' }))).data as SetOutcome;
    const byName = Object.fromEntries(r.changes.map((c) => [c.setting, c]));
    assert.equal(byName.memory?.applies, 'now', byName.memory?.detail);
    // libvirt accepted the balloon target; the firmware-only guest has no balloon driver to act on it
    assert.match(byName.memory?.detail ?? '', /balloon target is now 1024 MiB/);
    assert.equal(byName.vcpus?.applies, 'next-start');
    assert.match(byName.vcpus?.detail ?? '', /at most 3 vCPUs/);
    assert.equal(await dom.vcpus(1), 3, 'still 3 live');
    assert.match(await inactiveXml(), /<vcpu placement='static'>4<\/vcpu>/);
    // above the running maximum: the definition only
    const up = (await set(ctx([vm], { memory: '2G' }))).data as SetOutcome;
    assert.equal(up.changes[0]?.applies, 'next-start');
    assert.match(up.changes[0]?.detail ?? '', /above its running maximum of 1536 MiB/);
    await dom.destroy();
  },
);

test(
  'vm edit and vm set wait for no one: a VM another command works on is operation-in-progress',
  { skip },
  async () => {
    const dom = await lv.domains.lookup(vm);
    process.env.EDITOR = editor('never.sh', 'echo edited >> "$1"');
    const before = await inactiveXml();
    await withVmLock(lv, dom, 'test holds it', async () => {
      await rejects(
        set(ctx([vm], { vcpus: '1' })),
        'operation-in-progress',
        /"test holds it" is running on it/,
      );
      await rejects(edit(ctx([vm])), 'operation-in-progress', /busy/);
    });
    assert.equal(await inactiveXml(), before);
  },
);

/** The installed command (bin/phyllo runs the bundle `npm run build` makes). */
const BIN = fileURLToPath(new URL('../../../bin/phyllo', import.meta.url));

test(
  'vm edit on a terminal: a refused edit is offered again, and the second one is defined',
  { skip },
  async () => {
    const count = join(dir, 'count');
    const ed = editor(
      'twice.sh',
      `n=$(cat ${count} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${count}
if [ $n = 1 ]; then sed -i 's|<devices>|<devices><frobnicator/>|' "$1"
else sed -i 's|<frobnicator/>||; s|</name>|</name><description>edited on a terminal</description>|' "$1"; fi`,
    );
    // `script` gives the command a terminal; the answer is typed once the question is asked.
    const child = spawn('script', ['-qec', `${BIN} vm edit ${vm} --connect qemu:///system`, '/dev/null'], {
      env: { ...process.env, EDITOR: ed },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (/Edit it again\? \[y\/N\]/.test(out) && !child.stdin.writableEnded) child.stdin.end('y\n');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /libvirt refused the edited XML/);
    assert.match(out, /is redefined with the edited XML/);
    assert.equal(readFileSync(count, 'utf8').trim(), '2', 'the editor ran twice');
    assert.match(await inactiveXml(), /<description>edited on a terminal<\/description>/);
  },
);
