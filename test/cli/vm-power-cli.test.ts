/**
 * The lifecycle commands' CLI surface on the real daemon: `vm create --console` (created, started,
 * attached), a failed `vm start` (the diagnosis on stderr, and inside the --json error), a screenshot
 * of a shut-off VM (refused, no file), and bad input (--timeout).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect, UndefineFlags } from '../../src/libvirt/index.js';
import { testGuestCreateArgs, testGuestDomainXml, REPORT_MARKER } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { onPty, phyllo } from '../support/bin-phyllo.js';

const names: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'phyllo-power-cli-'));

after(async () => {
  const lv = await connect('qemu:///system');
  for (const name of names) {
    const dom = await lv.domains.lookup(name).catch(() => undefined);
    await dom?.destroy().catch(() => undefined);
    await dom?.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('vm create --console: created, started and attached; the ready line shows; Ctrl-] leaves it running', async () => {
  const name = uniqueName('create-console');
  names.push(name);
  const args = [...testGuestCreateArgs(name), '--console'];
  const session = await onPty([{ expect: `${REPORT_MARKER} ` }, { send: '\u001d' }], ...args);
  assert.equal(session.failedStep, null, session.output.slice(-500));
  assert.equal(session.exit, 0, session.output.slice(-500));
  assert.match(session.output, /starting it/);
  assert.equal(session.after, session.before);
  const lv = await connect('qemu:///system');
  try {
    assert.equal((await (await lv.domains.lookup(name)).state()).state, 'running');
  } finally {
    await lv.close();
  }
});

test('a start QEMU refuses: the diagnosis on stderr, and in the --json error; a screenshot of a shut-off VM writes nothing', async () => {
  const name = uniqueName('cli-refused');
  names.push(name);
  const lv = await connect('qemu:///system');
  try {
    await lv.domains.define(
      testGuestDomainXml({ name })
        .replace(
          "<domain type='qemu'>",
          "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
        )
        .replace(
          '</domain>',
          "<qemu:commandline><qemu:arg value='-device'/><qemu:arg value='phyllo-bogus-dev'/></qemu:commandline></domain>",
        ),
    );
  } finally {
    await lv.close();
  }
  const human = await phyllo('vm', 'start', name);
  assert.equal(human.code, 1);
  assert.match(human.stderr, /✗ QEMU refused the VM's configuration: -device phyllo-bogus-dev/);
  assert.match(human.stderr, /error: VM ".*" did not start/);
  const json = await phyllo('vm', 'start', name, '--json');
  assert.equal(json.code, 1);
  const err = (
    JSON.parse(json.stdout) as { error: { code: string; diagnosis: { findings: { id: string }[] } } }
  ).error;
  assert.equal(err.code, 'vm-start-failed');
  assert.ok(err.diagnosis.findings.some((f) => f.id === 'qemu.refused'));
  const diagnose = await phyllo('vm', 'diagnose', name);
  assert.match(diagnose.stdout, /2 problems found/);

  const file = join(dir, 'shot.png');
  const shot = await phyllo('vm', 'screenshot', name, file, '--json');
  assert.equal(shot.code, 1);
  assert.equal((JSON.parse(shot.stdout) as { error: { code: string } }).error.code, 'vm-wrong-state');
  assert.equal(existsSync(file), false);
  assert.deepEqual(readdirSync(dir), []);

  const timeout = await phyllo('vm', 'shutdown', name, '--timeout', 'soon', '--json');
  assert.equal((JSON.parse(timeout.stdout) as { error: { code: string } }).error.code, 'invalid-input');
  const autostart = await phyllo('vm', 'autostart', name, 'maybe', '--json');
  assert.equal(autostart.code, 1);
});
