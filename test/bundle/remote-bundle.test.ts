/**
 * Bundles of a VM on a REMOTE host (a second real libvirtd, reached over qemu+tcp://), through that
 * host's libvirt only: the disk by volume download and upload (sparse streams; a qcow2 flattened
 * there by libvirt first), the NVRAM, TPM state, kernel and initrd through transient storage pools.
 * The second host's /var/lib/libvirt is `DIR/lib` on this machine, where its files are checked.
 * - a windows-11 VM there (UEFI, TPM, a qcow2 disk), started once so libvirt made its NVRAM and
 *   TPM state: exported from there to a file here, imported here and imported there again: UEFI
 *   variables, TPM state and the disk's guest-visible data byte for byte, the same UUID back there,
 *   and libvirt's flattened copy of the disk gone; a bundle with a changed byte imported there is
 *   refused and leaves no domain, volume, pool or NVRAM;
 * - a VM booting the test guest there (kernel, initrd and a TPM): exported with zstd, deleted and
 *   imported back, it boots with the TPM state it brought (swtpm manufactured no new one), and its
 *   delete removes the kernel the import put there;
 * - vm move, and a move whose connection is cut halfway (a relay drops it) or an import there killed
 *   halfway: the source untouched, and nothing left there once the move's new connection, or the
 *   next import, has removed what the journal of remote runs lists.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { STATE_POOL_PREFIX } from '../../src/machines/state-copier-remote.js';
import { uniqueName } from '../libvirt/helpers.js';
import { BIN, phyllo } from '../support/bin-phyllo.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { POWEROFF_CMDLINE, testGuestCreateArgs, testGuestPaths } from '../support/test-guest.js';
import { bootOnce, writePattern } from '../support/uefi-guest.js';
import { waitFor } from '../support/wait.js';

const skip = secondHostSkip({ guest: true });
const LOCAL = 'qemu:///system';
const name = uniqueName('rbundle');
const win = uniqueName('rbundle-win');
const dir = mkdtempSync(join(tmpdir(), 'phyllo-remote-bundle-'));
// This file's own record of remote runs (src/bundle/remote-journal.ts), read by the tests below.
process.env.XDG_STATE_HOME = join(dir, 'state');
let hostB: SecondHost;
let lvB: Libvirt;
let lv: Libvirt;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A path of the second host, as seen from here. */
const there = (p: string) => join(hostB.dir, 'lib', p.replace(/^\/var\/lib\/libvirt\//, ''));
const guestSha = (img: string) => {
  const out = join(dir, `flat-${Math.random()}.raw`);
  execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', img, out]);
  const h = sha(readFileSync(out));
  rmSync(out);
  return h;
};
/** The TPM state files under a swtpm directory, with their checksums. */
const tpmSums = (root: string) =>
  Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== '.lock')
      .map((e) => [
        join(e.parentPath, e.name).slice(root.length + 1),
        sha(readFileSync(join(e.parentPath, e.name))),
      ]),
  );
/** swtpm's log (the second host shares this machine's /var/log/swtpm). */
const swtpmLog = (vm: string) => `/var/log/swtpm/libvirt/qemu/${vm}-swtpm.log`;
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;
const ok = (r: { code: number; stdout: string; stderr: string }) =>
  assert.equal(r.code, 0, r.stdout + r.stderr);
const volumesOnB = async () =>
  (await (await lvB.pools.lookup('default')).volumes.list())
    .map((v) => v.name)
    .filter((n) => !/-(vmlinuz|initrd)$/.test(n))
    .sort();
const poolsOnB = async () =>
  (await lvB.pools.list()).map((p) => p.name).filter((n) => n.startsWith(STATE_POOL_PREFIX));

before(async () => {
  if (skip) return;
  // The second host starts without pools: its default one, where the disks go.
  hostB = await startSecondHost({ imagesPool: true });
  lvB = await connect(hostB.uri);
  lv = await connect(LOCAL);
});

after(async () => {
  if (skip) return;
  await phyllo('vm', 'delete', `${win}-here`, '--force', '--connect', LOCAL);
  await lv?.close();
  await lvB?.close();
  await hostB?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'a windows-11 VM on a remote host (UEFI, TPM, qcow2): exported from there, imported here and there, byte for byte',
  { skip },
  async () => {
    const created = await phyllo(
      'vm',
      'create',
      win,
      '--os',
      'windows-11',
      '--disk-size',
      '64M',
      '--connect',
      hostB.uri,
      '--json',
    );
    ok(created);
    const { uuid, disk } = json<{ uuid: string; disk: string }>(created);
    const dom = await lvB.domains.lookup(win);
    await dom.start();
    const nvram = there(`/var/lib/libvirt/qemu/nvram/${win}_VARS.fd`);
    await waitFor('its NVRAM and TPM state', async () =>
      existsSync(nvram) && existsSync(there(`/var/lib/libvirt/swtpm/${uuid}/tpm2/tpm2-00.permall`))
        ? true
        : undefined,
    );
    await dom.destroy();
    await writePattern(there(disk), 0x5a, 4 << 20, 1 << 20);
    const before = {
      nvram: sha(readFileSync(nvram)),
      tpm: tpmSums(there(`/var/lib/libvirt/swtpm/${uuid}`)),
      disk: guestSha(there(disk)),
    };

    const bundle = join(dir, 'remote.phyllome');
    ok(await phyllo('vm', 'export', win, bundle, '--compress', 'none', '--connect', hostB.uri, '--json'));
    const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listing.slice(0, 4), ['manifest.json', 'domain.xml', 'disks/sda.raw', 'nvram/VARS.fd']);
    assert.ok(listing.length > 4 && listing.slice(4).every((l) => l.startsWith('tpm/')), listing.join(' '));
    assert.deepEqual(await volumesOnB(), [`${win}.qcow2`], 'the flattened copy there was removed');
    assert.deepEqual(await poolsOnB(), [], 'and its transient pools');
    // tar extracts the disk as a sparse raw file: the guest's data as it was.
    execFileSync('tar', ['-xf', bundle, '-C', dir, 'disks/sda.raw']);
    assert.equal(guestSha(join(dir, 'disks/sda.raw')), before.disk, 'the disk data, as tar extracts it');

    // Here: a local import of the remote VM's bundle.
    const here = await phyllo('vm', 'import', bundle, '--name', `${win}-here`, '--connect', LOCAL, '--json');
    ok(here);
    const h = json<{ disk: string; nvram: string; tpmState: string }>(here);
    assert.equal(sha(readFileSync(h.nvram)), before.nvram, 'UEFI variables here');
    assert.deepEqual(tpmSums(h.tpmState), before.tpm, 'TPM state here');
    assert.equal(guestSha(h.disk), before.disk, 'disk here');

    // There: the original deleted, the bundle imported through its libvirt (its UUID kept).
    ok(await phyllo('vm', 'delete', win, '--connect', hostB.uri));
    const back = await phyllo('vm', 'import', bundle, '--connect', hostB.uri, '--json');
    ok(back);
    const b = json<{ uuid: string; disk: string; nvram: string; tpmState: string }>(back);
    assert.equal(b.uuid, uuid, 'the same UUID there');
    assert.equal(b.disk, `/var/lib/libvirt/images/${win}.raw`);
    assert.equal(sha(readFileSync(there(b.nvram))), before.nvram, 'UEFI variables there');
    assert.deepEqual(tpmSums(there(b.tpmState)), before.tpm, 'TPM state there');
    assert.equal(guestSha(there(b.disk)), before.disk, 'disk there');
    assert.deepEqual(await poolsOnB(), []);

    // A changed byte in the disk data: refused there, nothing made.
    const tar = readFileSync(bundle);
    const at = tar.indexOf(Buffer.alloc(512, 0x5a));
    assert.ok(at > 0);
    tar.writeUInt8(tar.readUInt8(at + 100) ^ 0xff, at + 100);
    const bad = join(dir, 'bad.phyllome');
    writeFileSync(bad, tar);
    const vols = await volumesOnB();
    const refused = await phyllo(
      'vm',
      'import',
      bad,
      '--name',
      `${win}-bad`,
      '--connect',
      hostB.uri,
      '--json',
    );
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.equal(json<{ error: { code: string } }>(refused).error.code, 'bundle-invalid');
    await assert.rejects(lvB.domains.lookup(`${win}-bad`), (e: unknown) => isNotFound(e));
    assert.deepEqual(await volumesOnB(), vols, 'no volume left there');
    assert.deepEqual(await poolsOnB(), [], 'no pool left there');
    assert.ok(!existsSync(there(`/var/lib/libvirt/qemu/nvram/${win}-bad_VARS.fd`)), 'no NVRAM left there');
  },
);

test(
  'a VM booting the test guest on a remote host (kernel, initrd, TPM), with zstd: back there, it boots with the TPM it brought',
  { skip },
  async () => {
    // Its kernel and initrd in the default pool there, where vm create takes files of a remote host.
    const g = testGuestPaths();
    const onB = {
      [g.kernel]: `/var/lib/libvirt/images/${name}-vmlinuz`,
      [g.initrd]: `/var/lib/libvirt/images/${name}-initrd`,
    };
    for (const [from, to] of Object.entries(onB)) copyFileSync(from, there(to));
    await (await lvB.pools.lookup('default')).refresh();
    const args = testGuestCreateArgs(name, { diskSize: '64M' }).map((a) =>
      a === 'console=ttyS0 quiet' ? `${a} ${POWEROFF_CMDLINE}` : (onB[a] ?? a),
    );
    const created = await phyllo(...args, '--connect', hostB.uri, '--json');
    ok(created);
    const { uuid, disk } = json<{ uuid: string; disk: string }>(created);
    await bootOnce(await lvB.domains.lookup(name));
    await writePattern(there(disk), 0x5a, 4 << 20, 1 << 20);
    const before = { tpm: tpmSums(there(`/var/lib/libvirt/swtpm/${uuid}`)), disk: guestSha(there(disk)) };
    assert.ok(Object.keys(before.tpm).length > 0, 'its first start made the TPM state');

    const bundle = join(dir, 'guest.phyllome');
    ok(await phyllo('vm', 'export', name, bundle, '--connect', hostB.uri, '--json'));
    ok(await phyllo('vm', 'delete', name, '--connect', hostB.uri));
    const back = await phyllo('vm', 'import', bundle, '--connect', hostB.uri, '--json');
    ok(back);
    const b = json<{ uuid: string; disk: string; tpmState: string }>(back);
    assert.equal(guestSha(there(b.disk)), before.disk, 'disk there');
    assert.deepEqual(tpmSums(there(b.tpmState)), before.tpm, 'TPM state there');
    const kernel = `/var/lib/libvirt/boot/${name}-kernel`;
    assert.ok(readFileSync(there(kernel)).equals(readFileSync(g.kernel)), 'its kernel came with it');
    const manufactured = () =>
      (readFileSync(swtpmLog(name), 'utf8').match(/Starting vTPM manufacturing/g) ?? []).length;
    assert.equal(manufactured(), 1, 'swtpm made a TPM at the first start');
    await bootOnce(await lvB.domains.lookup(name));
    assert.equal(manufactured(), 1, 'and took the imported one at this start, making none');
    ok(await phyllo('vm', 'delete', name, '--connect', hostB.uri));
    assert.ok(!existsSync(there(kernel)), 'the imported kernel went with its VM');
  },
);

test(
  'vm move: a VM here goes to the remote host whole and is removed here only then; --keep-source, a bad pool there and the same host',
  { skip },
  async () => {
    const mover = uniqueName('rbundle-move');
    const args = testGuestCreateArgs(mover, { diskSize: '64M' }).map((a) =>
      a === 'console=ttyS0 quiet' ? `${a} ${POWEROFF_CMDLINE}` : a,
    );
    const created = await phyllo(...args, '--json');
    ok(created);
    const { uuid, disk } = json<{ uuid: string; disk: string }>(created);
    await writePattern(disk, 0x5a, 4 << 20, 1 << 20);
    const data = guestSha(disk);
    const moved = (r: { stdout: string }) =>
      json<{ imported: { uuid: string; disk: string }; deleted?: { removed: string[] } }>(r);
    const refused = (r: { code: number; stdout: string }, code: string) => {
      assert.notEqual(r.code, 0);
      assert.equal(json<{ error: { code: string } }>(r).error.code, code, r.stdout);
    };
    try {
      refused(await phyllo('vm', 'move', mover, '--to', LOCAL, '--json'), 'move-same-host');
      // The destination fails at once (no such pool there): the export stops, nothing is made there.
      const bad = await phyllo('vm', 'move', mover, '--to', hostB.uri, '--pool', 'nosuch', '--json');
      refused(bad, 'import-unsupported');
      assert.match(
        json<{ error: { message: string } }>(bad).error.message,
        /no storage pool "nosuch"/,
        "the destination's own error, not the cut stream",
      );
      assert.ok(!(await lvB.domains.list()).some((d) => d.name === mover), 'nothing defined there');
      assert.equal(guestSha(disk), data, 'the source is untouched');

      const kept = await phyllo('vm', 'move', mover, '--to', hostB.uri, '--keep-source', '--json');
      ok(kept);
      const k = moved(kept);
      assert.equal(k.deleted, undefined);
      assert.equal(k.imported.uuid, uuid, 'the same UUID there');
      assert.equal(guestSha(there(k.imported.disk)), data, 'the disk there, byte for byte');
      assert.ok(existsSync(disk), 'kept here');
      // A VM of that name there now: refused before any byte moves, the source untouched.
      refused(await phyllo('vm', 'move', mover, '--to', hostB.uri, '--json'), 'vm-exists');
      assert.ok(existsSync(disk));
      ok(await phyllo('vm', 'delete', mover, '--connect', hostB.uri));

      const gone = await phyllo('vm', 'move', mover, '--to', hostB.uri, '--json');
      ok(gone);
      const g = moved(gone);
      assert.ok(g.deleted?.removed.includes(disk), 'its disk removed here');
      assert.ok(!existsSync(disk));
      assert.ok(!(await lv.domains.list()).some((d) => d.name === mover), 'undefined here');
      assert.equal(guestSha(there(g.imported.disk)), data, 'the disk there, byte for byte');
      await bootOnce(await lvB.domains.lookup(mover));
    } finally {
      await phyllo('vm', 'delete', mover, '--force', '--connect', hostB.uri);
      await phyllo('vm', 'delete', mover, '--force', '--connect', LOCAL);
    }
  },
);

/**
 * A TCP relay to the second host's libvirtd that cuts its first connection once `cutAfter` bytes went
 * towards the daemon (a network that drops halfway through a move); later connections pass.
 */
async function cuttingRelay(cutAfter: number): Promise<{ uri: string; cut: Promise<void>; close(): void }> {
  let first = true;
  let onCut!: () => void;
  const cut = new Promise<void>((resolve) => (onCut = resolve));
  const server = createServer((client) => {
    const daemon = netConnect(16509, hostB.address);
    const cutting = first;
    first = false;
    let sent = 0;
    client.on('data', (b: Buffer) => {
      sent += b.length;
      if (cutting && sent > cutAfter) {
        client.destroy();
        daemon.destroy();
        onCut();
        return;
      }
      daemon.write(b);
    });
    daemon.pipe(client);
    client.on('error', () => daemon.destroy());
    daemon.on('error', () => client.destroy());
    client.on('close', () => daemon.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `qemu+tcp://127.0.0.1:${port}/system`, cut, close: () => server.close() };
}

test(
  'vm move with the connection cut halfway, and an import there killed halfway: the source untouched, nothing left there',
  { skip },
  async () => {
    const mover = uniqueName('rbundle-cut');
    const created = await phyllo(...testGuestCreateArgs(mover, { diskSize: '64M' }), '--json');
    ok(created);
    const { disk } = json<{ disk: string }>(created);
    for (let i = 0; i < 24; i++) await writePattern(disk, 0x20 + i, i << 20, 1 << 20);
    const data = guestSha(disk);
    const journal = join(process.env.XDG_STATE_HOME!, 'phyllome', 'remote-runs');
    const nothingThere = async () => {
      assert.ok(!(await lvB.domains.list()).some((d) => d.name === mover), 'no domain there');
      assert.deepEqual(
        (await volumesOnB()).filter((v) => v.startsWith(mover)),
        [],
        'no volume there',
      );
      assert.deepEqual(await poolsOnB(), [], 'no state pool there');
      assert.deepEqual(
        readdirSync(journal).filter((f) => f.endsWith('.json')),
        [],
        'no record left',
      );
    };
    const relay = await cuttingRelay(8 << 20);
    try {
      const r = await phyllo('vm', 'move', mover, '--to', relay.uri, '--json');
      await relay.cut;
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(json<{ error: { message: string } }>(r).error.message, /connection|closed/i, r.stdout);
      assert.ok(
        (await lv.domains.list()).some((d) => d.name === mover),
        'still defined here',
      );
      assert.equal(guestSha(disk), data, 'the source is untouched');
      // The cut connection could not take back the partial disk; the move's new connection did.
      await nothingThere();

      // An import there killed halfway (SIGKILL while its disk uploads): the next one removes what it left.
      const bundle = join(dir, `${mover}.tar`);
      ok(await phyllo('vm', 'export', mover, bundle, '--compress', 'none'));
      const child = spawn(BIN, ['vm', 'import', '-', '--connect', hostB.uri], {
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const bytes = readFileSync(bundle);
      child.stdin.on('error', () => undefined);
      child.stdin.write(bytes.subarray(0, bytes.length >> 1));
      const partial = there(`/var/lib/libvirt/images/${mover}.raw`);
      await waitFor('the partial disk there', async () => (existsSync(partial) ? true : undefined));
      child.kill('SIGKILL');
      await once(child, 'exit');
      assert.ok(existsSync(partial), 'the killed import left its disk there');
      assert.equal(readdirSync(journal).filter((f) => f.endsWith('.json')).length, 1, 'and its record here');
      const again = await phyllo('vm', 'import', bundle, '--connect', hostB.uri, '--json');
      ok(again);
      assert.equal(
        guestSha(there(json<{ disk: string }>(again).disk)),
        data,
        'the disk there, byte for byte',
      );
      assert.deepEqual(
        readdirSync(journal).filter((f) => f.endsWith('.json')),
        [],
        'the record went with it',
      );
    } finally {
      relay.close();
      await phyllo('vm', 'delete', mover, '--force', '--connect', hostB.uri);
      await phyllo('vm', 'delete', mover, '--force', '--connect', LOCAL);
    }
  },
);
