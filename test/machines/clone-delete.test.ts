/**
 * Linked clones and delete on the real system daemon, with OVMF and swtpm: a UEFI + TPM guest booted
 * once (so NVRAM and TPM state exist) is cloned; both boot and write without changing the frozen
 * base; deleting either keeps what the other needs; deleting both leaves nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, DomainXmlFlags, type Domain, type Libvirt } from '../../src/libvirt/index.js';
import { VmChangeError } from '../../src/machines/chain-errors.js';
import { cloneVm } from '../../src/machines/clone-vm.js';
import { backingOf } from '../../src/machines/disk-chain.js';
import { JobCancelledError, startJob } from '../../src/jobs/job.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { VmExistsError, VmStateError } from '../../src/machines/errors.js';
import { NVRAM_DIR, tpmDir } from '../../src/machines/state-files.js';
import { uniqueName } from '../libvirt/helpers.js';
import { qemuImgInfo } from '../support/qemu-img-info.js';
import {
  bootOnce,
  defineUefiGuest,
  IMAGES,
  manufacturedTpm,
  readsPattern,
  sha256,
  writePattern,
} from '../support/uefi-guest.js';

let lv: Libvirt;
const name = uniqueName('clsrc');
let src: Domain;
let base: string;
let baseSum: string;
const made: string[] = [name];

const permall = (uuid: string) => join(tpmDir(uuid), 'tpm2', 'tpm2-00.permall');
const nvram = (vm: string) => join(NVRAM_DIR, `${vm}_VARS.fd`);
const ours = () => readdirSync(IMAGES).filter((f) => f.startsWith(name));

before(async () => {
  lv = await connect('qemu:///system');
  const g = await defineUefiGuest(lv, name);
  src = g.dom;
  base = g.disk;
  await writePattern(base, 0xaa, 0);
  await bootOnce(src);
  assert.ok(
    existsSync(nvram(name)) && existsSync(permall(src.uuid)),
    'the first start made NVRAM and TPM state',
  );
});

after(async () => {
  for (const vm of made.reverse()) await deleteVm(lv, vm, { force: true }).catch(() => undefined);
  await lv.close();
});

test('a running source is refused (vm-wrong-state), a taken name too, and nothing is made', async () => {
  const clone = uniqueName('clrun');
  await src.start();
  try {
    await assert.rejects(cloneVm(lv, name, clone), VmStateError);
    await assert.rejects(deleteVm(lv, name), (e: VmStateError) => e.code === 'vm-wrong-state');
  } finally {
    await src.destroy().catch(() => undefined);
  }
  await assert.rejects(cloneVm(lv, name, name), VmExistsError);
  assert.deepEqual(ours(), [`${name}.qcow2`]);
});

test('a define libvirt refuses mid-clone leaves nothing: no domain, overlay, NVRAM or TPM copy; the source as it was', async () => {
  const clone = uniqueName('clbad');
  const before = await src.xml(DomainXmlFlags.INACTIVE);
  const tpmDirs = readdirSync(join(tpmDir(''), '..'));
  await assert.rejects(
    cloneVm(lv, name, clone, {
      cloneXml: (xml) => xml.replace("<domain type='qemu'>", "<domain type='bogus'>"),
    }),
    (e: VmChangeError) => e.code === 'vm-clone-failed' && e.leftBehind.length === 0,
  );
  await assert.rejects(lv.domains.lookup(clone));
  assert.equal(await src.xml(DomainXmlFlags.INACTIVE), before);
  assert.deepEqual(ours(), [`${name}.qcow2`]);
  assert.equal(existsSync(nvram(clone)), false);
  assert.deepEqual(readdirSync(join(tpmDir(''), '..')), tpmDirs);
});

test('linked clone: NVRAM and TPM state copied byte for byte where libvirt uses them, new UUID and MAC; both boot and write; the base never changes', async () => {
  const clone = uniqueName('cldst');
  made.push(clone);
  baseSum = await sha256(base);
  const srcXml = await src.xml(DomainXmlFlags.INACTIVE);
  const r = await cloneVm(lv, name, clone);
  assert.notEqual(r.uuid, src.uuid);
  const dst = await lv.domains.lookup(clone);
  assert.equal(dst.uuid, r.uuid);
  assert.equal(r.tpm, 'copied');
  assert.equal(r.nvram, nvram(clone));
  assert.equal(await sha256(nvram(clone)), await sha256(nvram(name)));
  assert.equal(await sha256(permall(r.uuid)), await sha256(permall(src.uuid)));
  const srcMac = /<mac address='([^']+)'/.exec(srcXml)?.[1];
  assert.ok(srcMac && r.macs.length === 1 && r.macs[0] !== srcMac, `new MAC ${r.macs[0]} vs ${srcMac}`);
  assert.equal(r.disks[0]!.base, base);
  // The source moved onto its own overlay; the base is only a backing file now.
  assert.match(
    await src.xml(DomainXmlFlags.INACTIVE),
    new RegExp(`<source file='${r.sourceDisks[0]!.path}'`),
  );
  // Both overlays are qcow2 version 3 (compat 1.1).
  for (const p of [r.sourceDisks[0]!.path, r.disks[0]!.path])
    assert.equal(qemuImgInfo(p)['format-specific']?.data?.compat, '1.1', p);

  await bootOnce(dst);
  assert.equal(await manufacturedTpm(clone), false, 'swtpm used the copied state: no TPM was manufactured');
  await bootOnce(src);
  await writePattern(r.sourceDisks[0]!.path, 0x11, 65536);
  await writePattern(r.disks[0]!.path, 0x22, 65536);
  for (const p of [r.sourceDisks[0]!.path, r.disks[0]!.path]) assert.ok(await readsPattern(p, 0xaa, 0));
  assert.ok(await readsPattern(r.sourceDisks[0]!.path, 0x11, 65536));
  assert.ok(await readsPattern(r.disks[0]!.path, 0x22, 65536));
  assert.equal(await sha256(base), baseSum, 'the frozen base is unchanged');
});

test('--new-tpm: the clone gets no copy, and swtpm manufactures a fresh TPM at its first start', async () => {
  const clone = uniqueName('clnew');
  made.push(clone);
  const r = await cloneVm(lv, name, clone, { newTpm: true });
  assert.equal(r.tpm, 'fresh');
  assert.equal(existsSync(tpmDir(r.uuid)), false);
  await bootOnce(await lv.domains.lookup(clone));
  assert.equal(await manufacturedTpm(clone), true);
  assert.notEqual(await sha256(permall(r.uuid)), await sha256(permall(src.uuid)));
  await deleteVm(lv, clone);
  made.pop();
});

test('--full: an independent copy (no backing file) with the same contents, the source untouched; a cancelled full clone leaves nothing', async () => {
  const clone = uniqueName('clful');
  const srcXml = await src.xml(DomainXmlFlags.INACTIVE);
  const job = startJob('clone', (ctx) =>
    cloneVm(lv, name, clone, { full: true, job: ctx, signal: ctx.signal }),
  );
  job.cancel();
  await assert.rejects(job.result, JobCancelledError);
  await assert.rejects(lv.domains.lookup(clone));
  assert.equal(existsSync(nvram(clone)), false);

  made.push(clone);
  const r = await startJob('clone', (ctx) =>
    cloneVm(lv, name, clone, { full: true, job: ctx, signal: ctx.signal }),
  ).result;
  assert.equal(r.linked, false);
  assert.equal(await src.xml(DomainXmlFlags.INACTIVE), srcXml, 'a full clone does not touch the source');
  const copy = r.disks[0]!.path;
  assert.equal(await backingOf(lv, copy), undefined, 'the copy stands on nothing');
  assert.ok(await readsPattern(copy, 0xaa, 0));
  assert.ok(await readsPattern(copy, 0x11, 65536), "the source's overlay data was read through");
  assert.equal(await sha256(nvram(clone)), await sha256(nvram(name)));
  await bootOnce(await lv.domains.lookup(clone));
  const gone = await deleteVm(lv, clone);
  made.pop();
  assert.deepEqual(gone.removed, [copy]);
  assert.ok(existsSync(base));
});

test('delete keeps what another VM needs: the source goes, its clone still starts; the last one takes the base with it', async () => {
  const clone = made[1]!;
  const dst = await lv.domains.lookup(clone);
  const uuids = [src.uuid, dst.uuid];
  const gone = await deleteVm(lv, name);
  made.splice(0, 1);
  assert.ok(
    gone.kept.some((k) => k.path === base && k.why.includes(clone)),
    JSON.stringify(gone.kept),
  );
  assert.ok(existsSync(base));
  assert.equal(existsSync(nvram(name)), false);
  assert.equal(existsSync(tpmDir(uuids[0]!)), false);
  await bootOnce(dst);
  assert.equal(await sha256(base), baseSum);

  const last = await deleteVm(lv, clone);
  made.splice(0, 1);
  assert.ok(last.removed.includes(base));
  assert.deepEqual(
    readdirSync(IMAGES).filter((f) => f.startsWith(name) || f.startsWith(clone)),
    [],
    'no overlay and no base left',
  );
  assert.equal(existsSync(nvram(clone)), false);
  assert.equal(existsSync(tpmDir(uuids[1]!)), false);
});
