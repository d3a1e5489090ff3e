/**
 * `vm create` failing after the model, through bin/phyllo, on the test's own second libvirt host
 * (test/support/second-host.ts), whose /var/lib/libvirt/images is a 4 MiB tmpfs and whose libvirt has
 * a qemu hook script that refuses (exit 1 at `prepare`) to start any domain named `phyllo-refused-*`:
 *
 * - the images tmpfs filled first, so not even the qcow2 header fits: `pool-full`, and nothing is left
 *   behind (no domain, no volume, no NVRAM or TPM state; the `default` network and pool the create
 *   had defined and started are gone again);
 * - `--start` that libvirt refuses: the VM stays created (defined, shut off, its disk kept), the error
 *   (`vm-start-failed`) says so, names the hook's refusal and carries `created` with --json; once the
 *   host lets it start, the hint's `phyllo vm start NAME` starts it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { fillTmpfs } from '../support/tmpfs.js';

const skip = secondHostSkip();
const IMAGES = '/var/lib/libvirt/images';
/** libvirt runs it as `qemu DOMAIN OPERATION SUB-OPERATION EXTRA`, the domain XML on stdin. */
const REFUSING_HOOK = `#!/bin/sh
case "$1:$2" in
  phyllo-refused-*:prepare) echo "phyllo test hook: no start for $1" >&2; exit 1 ;;
esac
exit 0
`;

let host: SecondHost;
let lv: Libvirt;
/** The second host's images directory as this machine sees it. */
let images: string;

before(async () => {
  if (skip) return;
  host = await startSecondHost({ qemuHook: REFUSING_HOOK, imagesMiB: 4 });
  lv = await connect(host.uri);
  images = join(host.dir, 'lib/images');
  // The model's host facts on a new host run the remote KVM boot test once, which makes its own
  // pool (phyllome-boot-test): done here, so each test's before/after compares only what vm create did.
  const warm = await phyllo('os', 'explain', 'linux', '--connect', host.uri, '--json');
  assert.equal(warm.code, 0, warm.stdout + warm.stderr);
});

after(async () => {
  if (skip) return;
  await lv?.close();
  await host?.stop();
});

const createArgs = (name: string, ...more: string[]) => [
  'vm',
  'create',
  name,
  '--os',
  'linux',
  '--memory',
  '1G',
  '--disk-size',
  '16M',
  '--connect',
  host.uri,
  ...more,
];

const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** What vm create may change on the host: domains, pools and networks (with their state), files (disk images, UEFI variables, TPM state). */
async function inventory() {
  const named = async (list: Promise<{ name: string; isActive(): Promise<boolean> }[]>) =>
    Promise.all(
      (await list).map(async (o) => `${o.name}${(await o.isActive()) ? ' (active)' : ' (inactive)'}`),
    ).then((a) => a.sort());
  return {
    domains: (await lv.domains.list()).map((d) => d.name).sort(),
    pools: await named(lv.pools.list()),
    networks: await named(lv.networks.list()),
    images: readdirSync(images).sort(),
    nvram: readdirSync(join(host.dir, 'lib/qemu/nvram')).sort(),
    tpmState: files(join(host.dir, 'lib/swtpm')),
  };
}

interface JsonError {
  error: Record<string, unknown> & { code: string; message: string; hint: string };
}

describe('vm create failures on a second host', { skip }, () => {
  test('a pool whose filesystem is full: pool-full with its hint, and nothing is left behind', async () => {
    fillTmpfs(images);
    const before = await inventory();
    // A new host: no `default` network or pool yet, so the create defines and starts both first.
    assert.deepEqual(before.networks, []);
    assert.ok(!before.pools.some((p) => p.startsWith('default ')), before.pools.join(', '));
    assert.deepEqual(before.images, ['filler']);

    const name = uniqueName('full');
    const disk = `${IMAGES}/${name}.qcow2`;
    const message = `Could not create VM "${name}": no room for its disk ${disk} in the storage pool "default" on ${host.address} (No space left on device)`;
    const hint = `Nothing was left behind. Free space in ${IMAGES} on ${host.address}, or give the VM an existing image elsewhere (--disk-image PATH) or no disk (--disk-size none).`;
    const json = await phyllo(...createArgs(name, '--json'));
    assert.equal(json.code, 1, json.stdout + json.stderr);
    assert.deepEqual(JSON.parse(json.stdout) as JsonError, { error: { code: 'pool-full', message, hint } });
    assert.deepEqual(await inventory(), before, 'the host is as it was');
    await assert.rejects(lv.domains.lookup(name), (e: unknown) => isNotFound(e));

    const human = await phyllo(...createArgs(name));
    assert.equal(human.code, 1, human.stderr);
    assert.equal(human.stdout, '');
    assert.ok(human.stderr.includes(`error: ${message}\nhint: ${hint}\n`), human.stderr);
    assert.deepEqual(await inventory(), before, 'the host is as it was');
  });

  test('--start that libvirt refuses: the VM stays created, shut off, with its disk; the error says so and why', async () => {
    rmSync(join(images, 'filler'), { force: true });
    const name = uniqueName('refused');
    const disk = `${IMAGES}/${name}.qcow2`;
    const json = await phyllo(...createArgs(name, '--start', '--json'));
    assert.equal(json.code, 1, json.stdout + json.stderr);
    const { error } = JSON.parse(json.stdout) as JsonError;
    const dom = await lv.domains.lookup(name);
    assert.deepEqual(Object.keys(error).sort(), ['code', 'created', 'diagnosis', 'hint', 'message']);
    assert.equal(error.code, 'vm-start-failed');
    assert.deepEqual(error.created, { name, uuid: dom.uuid, disk });
    const refusal = `unexpected exit status 1: phyllo test hook: no start for ${name}`;
    assert.ok(
      error.message.startsWith(`VM "${name}" was created but did not start: Hook script execution failed: `),
      error.message,
    );
    assert.ok(error.message.endsWith(refusal), error.message);
    const finding = `The libvirt hook script /etc/libvirt/hooks/qemu on ${host.address} refused the start (exit status 1 at "prepare"): phyllo test hook: no start for ${name}`;
    const fix = `The script is a rule of ${host.address}, not part of the VM's configuration: read it there to see what it checks, then change the VM (or the script) to fit`;
    assert.equal(
      error.hint,
      `It stays defined, shut off, with its disk ${disk}. ${finding}. ${fix} (all findings: phyllo vm diagnose ${name}). Then start it: phyllo vm start ${name}`,
    );
    const diagnosis = error.diagnosis as {
      state: string;
      lastStartFailure: { message: string };
      findings: { id: string; summary: string; fix: string }[];
    };
    assert.equal(diagnosis.state, 'shutoff');
    assert.ok(diagnosis.lastStartFailure.message.endsWith(refusal), diagnosis.lastStartFailure.message);
    assert.deepEqual(
      diagnosis.findings.map((f) => f.id),
      ['start.failed', 'hook.refused'],
    );
    assert.deepEqual(
      diagnosis.findings.filter((f) => f.id === 'hook.refused').map((f) => [f.summary, f.fix]),
      [[finding, fix]],
    );

    // On the host: defined (a shut-off domain that is still there is not a transient one), its disk
    // volume there at its full size.
    assert.equal((await dom.state()).state, 'shutoff');
    const volume = await lv.volumes.lookupByPath(disk);
    assert.equal((await volume.info()).capacity, 16n * 2n ** 20n);
    assert.deepEqual(readdirSync(images), [`${name}.qcow2`]);

    // The human output names the cause: the diagnosis before the error, the error, the hint.
    const other = uniqueName('refused');
    const human = await phyllo(...createArgs(other, '--start'));
    assert.equal(human.code, 1, human.stderr);
    assert.equal(human.stdout, '');
    const otherUuid = (await lv.domains.lookup(other)).uuid;
    const lines = human.stderr.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    assert.ok(at(`Created VM "${other}" (${otherUuid}); starting it…`) >= 0, human.stderr);
    assert.ok(
      at(
        `✗ The libvirt hook script /etc/libvirt/hooks/qemu on ${host.address} refused the start (exit status 1 at "prepare"): phyllo test hook: no start for ${other}.`,
      ) > at('Created VM'),
      human.stderr,
    );
    assert.ok(at(`error: VM "${other}" was created but did not start: Hook script execution failed: `) > 0);
    assert.ok(lines[at('error: ')]!.endsWith(`no start for ${other}`), human.stderr);
    assert.ok(
      lines[at('hint: ')]!.startsWith(
        `hint: It stays defined, shut off, with its disk ${IMAGES}/${other}.qcow2. The libvirt hook script`,
      ),
      human.stderr,
    );
    assert.ok(lines[at('hint: ')]!.endsWith(`Then start it: phyllo vm start ${other}`), human.stderr);

    // The hint holds: once the host's hook lets it, `phyllo vm start NAME` starts the kept VM.
    const hookFile = join(host.dir, 'etc/hooks/qemu');
    writeFileSync(hookFile, '#!/bin/sh\nexit 0\n');
    try {
      const started = await phyllo('vm', 'start', name, '--connect', host.uri, '--json');
      assert.equal(started.code, 0, started.stdout + started.stderr);
      assert.equal((JSON.parse(started.stdout) as { state: string }).state, 'running');
      const diagnosed = await phyllo('vm', 'diagnose', name, '--connect', host.uri, '--json');
      const after = JSON.parse(diagnosed.stdout) as { lastStartFailure?: unknown; findings: unknown[] };
      assert.equal(after.lastStartFailure, undefined, 'the start that worked cleared the failure');
      assert.deepEqual(after.findings, []);
    } finally {
      writeFileSync(hookFile, REFUSING_HOOK);
      await dom.destroy().catch(() => undefined);
    }
  });
});
