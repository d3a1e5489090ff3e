/**
 * Clone and snapshots of a UEFI + TPM VM on a REMOTE host (a second real libvirtd, reached over
 * qemu+tcp://): its NVRAM and swtpm state are copied there through that host's libvirt storage API
 * (transient dir pools, volume download/upload). The second host's /var/lib/libvirt is `DIR/lib` on
 * this machine, where the copies are checked byte for byte.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Domain, type Libvirt } from '../../src/libvirt/index.js';
import { VmChangeError } from '../../src/machines/chain-errors.js';
import { cloneVm } from '../../src/machines/clone-vm.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { createSnapshot, deleteSnapshot, revertSnapshot } from '../../src/machines/snapshot-vm.js';
import { STATE_POOL_PREFIX, STALE_POOL_MS, statePoolName } from '../../src/machines/state-copier-remote.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { bootOnce, defineUefiGuest, manufacturedTpm, sha256 } from '../support/uefi-guest.js';
import { uniqueName } from '../libvirt/helpers.js';

const skip = secondHostSkip({ guest: true });
const name = uniqueName('rstsrc');
let hostB: SecondHost;
let lvB: Libvirt;
let src: Domain;

/** Paths on the second host, as seen from here. */
const there = (p: string) => join(hostB.dir, 'lib', p.replace(/^\/var\/lib\/libvirt\//, ''));
const nvram = (vm: string) => there(`/var/lib/libvirt/qemu/nvram/${vm}_VARS.fd`);
const tpm2 = (uuid: string) => there(`/var/lib/libvirt/swtpm/${uuid}/tpm2`);
const swtpmDirs = () => readdirSync(there('/var/lib/libvirt/swtpm')).sort();
const statePools = async () =>
  (await lvB.pools.list()).map((p) => p.name).filter((n) => n.startsWith(STATE_POOL_PREFIX));

/** Every file of a directory with its checksum. */
async function sums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = await sha256(join(dir, f));
  return out;
}

before(async () => {
  if (skip) return;
  // The second host starts without pools: its default one, where the test guest's disk goes.
  hostB = await startSecondHost({ imagesPool: true });
  lvB = await connect(hostB.uri);
  src = (await defineUefiGuest(lvB, name, 16)).dom;
  await bootOnce(src); // libvirt makes the NVRAM and swtpm the TPM state at the first start
  assert.ok(existsSync(nvram(name)), 'the first start made the NVRAM there');
  assert.ok(existsSync(join(tpm2(src.uuid), 'tpm2-00.permall')), 'and the TPM state');
});

after(async () => {
  if (skip) return;
  await lvB?.close();
  await hostB?.stop();
});

test(
  'a failed clone on the remote host leaves no copied NVRAM or TPM state, and no pool',
  { skip },
  async () => {
    const clone = uniqueName('rstbad');
    const before = swtpmDirs();
    await assert.rejects(
      cloneVm(lvB, name, clone, {
        cloneXml: (xml) => xml.replace("<domain type='qemu'>", "<domain type='bogus'>"),
      }),
      (e: VmChangeError) => e.code === 'vm-clone-failed' && e.leftBehind.length === 0,
    );
    assert.equal(existsSync(nvram(clone)), false);
    assert.deepEqual(swtpmDirs(), before);
    assert.deepEqual(await statePools(), []);
  },
);

test(
  'clone over qemu+tcp: NVRAM and every TPM state file copied byte for byte there; a crash’s leftover pool does not block it; the clone boots on its copy',
  { skip },
  async () => {
    // A pool a crashed run left over the NVRAM directory (libvirt allows one pool per directory).
    const stale = statePoolName(Date.now() - STALE_POOL_MS - 60_000);
    await lvB.pools.create(
      `<pool type='dir'><name>${stale}</name><target><path>/var/lib/libvirt/qemu/nvram</path></target></pool>`,
    );
    const clone = uniqueName('rstdst');
    const r = await cloneVm(lvB, name, clone);
    assert.equal(r.nvram, `/var/lib/libvirt/qemu/nvram/${clone}_VARS.fd`);
    assert.equal(r.tpm, 'copied');
    assert.equal(await sha256(nvram(clone)), await sha256(nvram(name)));
    const srcFiles = await sums(tpm2(src.uuid));
    assert.ok('tpm2-00.permall' in srcFiles, Object.keys(srcFiles).join(', '));
    assert.deepEqual(await sums(tpm2(r.uuid)), srcFiles);
    assert.deepEqual(await statePools(), [], 'the stale pool is gone, and so are ours');

    await bootOnce(await lvB.domains.lookup(clone)); // libvirt fixes the owners at the start
    assert.equal(await manufacturedTpm(clone), false, 'swtpm used the copied state');

    const deleted = await deleteVm(lvB, clone);
    assert.equal(deleted.tpm, `/var/lib/libvirt/swtpm/${r.uuid}`);
    assert.equal(existsSync(nvram(clone)), false);
    assert.equal(existsSync(tpm2(r.uuid)), false);
  },
);

test(
  'snapshot on the remote host: the copies are kept there, revert restores NVRAM and TPM state, delete removes them',
  { skip },
  async () => {
    const old = process.env.PHYLLO_SNAPSHOT_DIR;
    // Under its /var/lib/libvirt, which this machine sees as DIR/lib (its /var/lib/phyllome is ours).
    process.env.PHYLLO_SNAPSHOT_DIR = '/var/lib/libvirt/phyllome-snapshots';
    try {
      const nvSum = await sha256(nvram(name));
      const tpmSums = await sums(tpm2(src.uuid));
      const s = await createSnapshot(lvB, name, 's1');
      assert.equal(s.nvram && s.tpm, true);
      const dir = there(`/var/lib/libvirt/phyllome-snapshots/${src.uuid}/s1`);
      assert.equal(await sha256(join(dir, 'VARS.fd')), nvSum);
      assert.deepEqual(await sums(join(dir, 'tpm2')), tpmSums);

      // Changed since: the variable store and the TPM state (as a boot would), and a new file there.
      const nv = readFileSync(nvram(name));
      nv[nv.length - 1] = nv[nv.length - 1]! ^ 0xff;
      writeFileSync(nvram(name), nv);
      writeFileSync(join(tpm2(src.uuid), 'tpm2-00.permall'), 'changed');
      writeFileSync(join(tpm2(src.uuid), 'tpm2-00.volatilestate'), 'later');
      await revertSnapshot(lvB, name, 's1');
      assert.equal(await sha256(nvram(name)), nvSum);
      assert.deepEqual(await sums(tpm2(src.uuid)), tpmSums);
      assert.equal(existsSync(`${nvram(name)}.phyllo-restore`), false);
      assert.deepEqual(await statePools(), []);

      await deleteSnapshot(lvB, name, 's1');
      assert.equal(existsSync(dir), false);
    } finally {
      if (old === undefined) delete process.env.PHYLLO_SNAPSHOT_DIR;
      else process.env.PHYLLO_SNAPSHOT_DIR = old;
    }
  },
);
