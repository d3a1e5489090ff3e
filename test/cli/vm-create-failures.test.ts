/**
 * `vm create` failing after the model, through bin/phyllo, on the test's own second libvirt host
 * (test/support/second-host.ts), whose /var/lib/libvirt/images is a 4 MiB tmpfs: filled first, so not
 * even the qcow2 header fits, it gives `pool-full`, and nothing is left behind (no domain, no volume,
 * no NVRAM or TPM state; the `default` network and pool the create had defined and started are gone
 * again).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { fillTmpfs } from '../support/tmpfs.js';

const skip = secondHostSkip();
const IMAGES = '/var/lib/libvirt/images';

let host: SecondHost;
let lv: Libvirt;
/** The second host's images directory as this machine sees it. */
let images: string;

before(async () => {
  if (skip) return;
  host = await startSecondHost({ imagesMiB: 4 });
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
});
