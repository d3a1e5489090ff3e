/**
 * The KVM boot test on another host, through libvirt only: a second real libvirtd in its own network
 * and mount namespaces (test/support/second-host.ts), reached over TCP. The guest's kernel and
 * initramfs are uploaded into a pool there and booted as a transient domain read through its console.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBootTestCache } from '../../src/host/boot-test-cache.js';
import { kvmVerdict } from '../../src/host/kvm-verdict.js';
import {
  connect,
  ConnectionClosedError,
  isNotFound,
  type Libvirt,
  type LifecycleEvent,
} from '../../src/libvirt/index.js';
import {
  BOOT_TEST_POOL,
  BOOT_TEST_VOLUME_PREFIX,
  bootTestPool,
  SYSTEM_BOOT_TEST_DIR,
} from '../../src/machines/boot-test-pool.js';
import { remoteKvmVerdict } from '../../src/machines/remote-kvm-verdict.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { waitFor } from '../support/wait.js';

const skip = secondHostSkip({ guest: true });

let hostB: SecondHost;
let b: Libvirt;
let cacheDir: string;

before(async () => {
  if (skip) return;
  cacheDir = mkdtempSync(join(tmpdir(), 'phyllo-remote-kvm-'));
  hostB = await startSecondHost();
  b = await connect(hostB.uri);
  // A fresh daemon probes QEMU on its first capabilities call (~8 s here): not part of the measured test.
  await b.capabilities();
});

after(async () => {
  if (skip) return;
  await b.close();
  await hostB.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** What the boot test could leave on the host: its domains, and volumes in its pool. */
async function leftovers(lv: Libvirt): Promise<string[]> {
  const domains = (await lv.domains.list()).map((d) => `domain ${d.name}`);
  const pool = await lv.pools.lookup(BOOT_TEST_POOL).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const volumes = pool ? (await pool.volumes.list()).map((v) => `volume ${v.name}`) : [];
  return [...domains, ...volumes];
}

/** Lifecycle events on the host while `run` runs. */
async function eventsDuring<T>(
  lv: Libvirt,
  run: () => Promise<T>,
): Promise<{ value: T; events: LifecycleEvent[] }> {
  const sub = await lv.events.lifecycle();
  const events: LifecycleEvent[] = [];
  sub.on((e) => events.push(e));
  try {
    return { value: await run(), events };
  } finally {
    sub.close();
  }
}

test(
  'under TCG the uploaded test guest boots to init on the other host, and nothing stays behind',
  { skip },
  async (t) => {
    const progress: string[] = [];
    const started = Date.now();
    const v = await remoteKvmVerdict(b, { virttype: 'qemu', cacheDir, onProgress: (m) => progress.push(m) });
    t.diagnostic(`one remote boot test under TCG: ${Date.now() - started} ms (${v.test?.kvm?.seen})`);
    assert.equal(v.cached, false);
    assert.equal(v.test?.kvm?.accel, 'tcg');
    assert.equal(v.test?.kvm?.stage, 'init', v.detail);
    assert.equal(v.test?.outcome, 'booted');
    assert.equal(v.usable, false, 'a TCG run never says KVM works');
    assert.match(v.summary, /KVM was not tested: .* and it ran/);
    assert.match(v.key ?? '', new RegExp(`host=${hostB.hostUuid} `));
    assert.ok(progress.some((m) => m.startsWith('uploading')) && progress.some((m) => m.includes('TCG')));
    assert.deepEqual(await leftovers(b), []);
    const pool = await b.pools.lookup(BOOT_TEST_POOL);
    assert.match(await pool.xml(), new RegExp(`<path>${SYSTEM_BOOT_TEST_DIR}</path>`));
  },
);

test('the second call is answered from the cache without booting; retest boots again', { skip }, async () => {
  const first = await remoteKvmVerdict(b, { virttype: 'qemu', cacheDir });
  const again = await eventsDuring(b, () => remoteKvmVerdict(b, { virttype: 'qemu', cacheDir }));
  assert.equal(again.value.cached, true);
  assert.equal(again.value.testedAt, first.testedAt);
  assert.deepEqual(again.value.test, first.test);
  assert.deepEqual(again.events, [], 'a cached verdict starts no domain');

  const retest = await eventsDuring(b, () =>
    remoteKvmVerdict(b, { virttype: 'qemu', cacheDir, retest: true }),
  );
  assert.equal(retest.value.cached, false);
  assert.notEqual(retest.value.testedAt, first.testedAt);
  assert.equal(retest.value.test?.kvm?.booted, true);
  assert.ok(
    retest.events.some((e) => e.event === 'started' && e.dom.name.startsWith('phyllome-boot-test-')),
    `a retest starts a domain; saw ${retest.events.map((e) => `${e.dom.name}:${e.event}`).join(', ')}`,
  );
  assert.deepEqual(await leftovers(b), []);
});

test(
  'under KVM the other host gets the verdict the local boot test gives on this machine',
  { skip },
  async (t) => {
    const local = await kvmVerdict();
    const started = Date.now();
    const remote = await remoteKvmVerdict(b, { cacheDir });
    t.diagnostic(`one remote boot test under KVM: ${Date.now() - started} ms (${remote.detail})`);
    assert.equal(remote.cached, false);
    assert.equal(remote.state, local.state, `local: ${local.detail}; remote: ${remote.detail}`);
    assert.equal(remote.usable, local.usable);
    assert.equal(remote.test?.outcome, local.test?.outcome);
    assert.equal(remote.test?.kvm?.accel, 'kvm');
    // Where KVM fails, the TCG control on the other host shows the guest itself is fine.
    if (!local.usable) assert.equal(remote.test?.control?.booted, true, remote.detail);
    assert.deepEqual(await leftovers(b), []);
  },
);

test('a boot cut short by its deadline is judged as hung and leaves nothing behind', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-remote-kvm-short-'));
  try {
    const v = await remoteKvmVerdict(b, { virttype: 'qemu', cacheDir: dir, deadlineMs: 1 });
    assert.equal(v.test?.outcome, 'hung', v.detail);
    assert.equal(v.test?.kvm?.booted, false);
    assert.match(v.summary, /did not run/);
    assert.deepEqual(await leftovers(b), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Where a file of the second host's /var/lib/libvirt is seen from here: its daemon's directories are
 * bound from a `phyllo-second-host-*` folder (test/support/second-host.ts); the name is unique.
 */
function seenFromHere(dirBelowVarLibLibvirt: string, name: string): string {
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith('phyllo-second-host-'))) {
    const path = join(tmpdir(), d, 'lib', dirBelowVarLibLibvirt, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`no second host holds ${name}`);
}

test(
  'volumes a test that died mid-way left behind are swept by the next run; others stay',
  { skip },
  async () => {
    const pool = await bootTestPool(b);
    const volume = (name: string) =>
      pool.volumes.create(
        `<volume><name>${name}</name><capacity unit='bytes'>4096</capacity><target><format type='raw'/></target></volume>`,
      );
    const stale = `${BOOT_TEST_VOLUME_PREFIX}1-deadbeef-initrd.img`;
    const running = `${BOOT_TEST_VOLUME_PREFIX}2-cafe0123-vmlinuz`;
    const foreign = `someone-elses-${process.pid}.img`;
    for (const name of [stale, running, foreign]) await volume(name);
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const name of [stale, foreign])
      utimesSync(seenFromHere('phyllome-boot-test', name), hourAgo, hourAgo);
    await pool.refresh();
    try {
      const v = await remoteKvmVerdict(b, { virttype: 'qemu', cacheDir, retest: true });
      assert.equal(v.test?.kvm?.booted, true, v.detail);
      const left = (await pool.volumes.list()).map((x) => x.name).sort();
      assert.deepEqual(left, [running, foreign].sort(), 'only the stale boot-test volume is swept');
    } finally {
      for (const x of await pool.volumes.list()) await x.delete().catch(() => undefined);
    }
  },
);

test(
  'a connection lost mid-boot is thrown, not cached, and libvirt destroys the domain itself',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phyllo-remote-kvm-lost-'));
    const doomed = await connect(hostB.uri);
    try {
      const run = remoteKvmVerdict(doomed, {
        virttype: 'qemu',
        cacheDir: dir,
        onProgress: (m) => {
          if (m.startsWith('booting')) setTimeout(() => void doomed.close(), 300);
        },
      });
      await assert.rejects(run, ConnectionClosedError);
      await waitFor('the auto-destroyed boot-test domain to go', async () =>
        (await b.domains.list()).length === 0 ? true : undefined,
      );
      assert.deepEqual(
        readBootTestCache(join(dir, 'kvm-boot-test-remote.json')).entries,
        {},
        'nothing was cached',
      );
    } finally {
      // Its volumes could not be deleted over the lost connection: the sweep would take them in 10 minutes.
      const pool = await bootTestPool(b);
      for (const v of await pool.volumes.list())
        if (v.name.startsWith(`${BOOT_TEST_VOLUME_PREFIX}${process.pid}-`)) await v.delete();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await leftovers(b), []);
  },
);
