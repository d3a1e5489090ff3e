/**
 * Snapshots of a UEFI + TPM guest on the real daemon: create freezes the disk and copies NVRAM and
 * TPM state; revert brings back disk contents, NVRAM and TPM state; delete merges the frozen layer.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, DomainXmlFlags, type Domain, type Libvirt } from '../../src/libvirt/index.js';
import { SnapshotExistsError, SnapshotNotFoundError } from '../../src/machines/chain-errors.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { VmStateError } from '../../src/machines/errors.js';
import {
  createSnapshot,
  deleteSnapshot,
  listSnapshots,
  revertSnapshot,
} from '../../src/machines/snapshot-vm.js';
import { NVRAM_DIR, snapshotRoot, tpmDir } from '../../src/machines/state-files.js';
import { uniqueName } from '../libvirt/helpers.js';
import {
  bootOnce,
  defineUefiGuest,
  IMAGES,
  readsPattern,
  sha256,
  writePattern,
} from '../support/uefi-guest.js';

let lv: Libvirt;
const name = uniqueName('snap');
let dom: Domain;
const nvram = () => join(NVRAM_DIR, `${name}_VARS.fd`);
const permall = () => join(tpmDir(dom.uuid), 'tpm2', 'tpm2-00.permall');
const disk = async () =>
  /<disk type='file' device='disk'>[\s\S]*?<source file='([^']+)'/.exec(
    await dom.xml(DomainXmlFlags.INACTIVE),
  )![1]!;

before(async () => {
  lv = await connect('qemu:///system');
  dom = (await defineUefiGuest(lv, name)).dom;
  await bootOnce(dom);
});
after(async () => {
  await deleteVm(lv, name, { force: true }).catch(() => undefined);
  await lv.close();
});

/** Overwrites the last byte of a file (the NVRAM store's free space) so a restore has something to undo. */
async function tamper(path: string): Promise<void> {
  const f = await open(path, 'r+');
  const { size } = await f.stat();
  const b = Buffer.alloc(1);
  await f.read(b, 0, 1, size - 1);
  await f.write(Buffer.from([b[0]! ^ 0xff]), 0, 1, size - 1);
  await f.close();
}

test('create, revert, delete: disk contents, NVRAM and TPM state come back; a running VM is refused', async () => {
  await writePattern(await disk(), 0xa1, 0);
  const nvSum = await sha256(nvram());
  const tpmSum = await sha256(permall());
  const s1 = await createSnapshot(lv, name, 's1');
  assert.equal(s1.nvram && s1.tpm, true);
  await assert.rejects(createSnapshot(lv, name, 's1'), SnapshotExistsError);
  await assert.rejects(revertSnapshot(lv, name, 'nope'), SnapshotNotFoundError);
  assert.deepEqual(
    (await listSnapshots(lv, name)).map((s) => s.name),
    ['s1'],
  );

  // After the snapshot: new data, a boot (swtpm rewrites its state), a changed variable store.
  await writePattern(await disk(), 0xb2, 0);
  await bootOnce(dom);
  await tamper(nvram());
  assert.notEqual(await sha256(nvram()), nvSum);
  assert.notEqual(await sha256(permall()), tpmSum, 'the boot changed the TPM state');
  const before = await disk();

  await dom.start();
  await assert.rejects(revertSnapshot(lv, name, 's1'), VmStateError);
  await assert.rejects(createSnapshot(lv, name, 's2'), VmStateError);
  await dom.destroy();

  await revertSnapshot(lv, name, 's1');
  assert.ok(await readsPattern(await disk(), 0xa1, 0), 'the disk reads what it held at the snapshot');
  assert.equal(await sha256(nvram()), nvSum);
  assert.equal(await sha256(permall()), tpmSum);
  assert.equal(existsSync(before), false, 'the image written since the snapshot is gone');
  await bootOnce(dom);

  // A second snapshot on top, then deleting it merges its frozen layer into the current image.
  await writePattern(await disk(), 0xc3, 65536);
  const s2 = await createSnapshot(lv, name, 's2');
  const frozen = s2.disks[0]!.image;
  await writePattern(await disk(), 0xd4, 131072);
  const gone = await deleteSnapshot(lv, name, 's2');
  assert.deepEqual(gone.merged, [frozen]);
  assert.equal(existsSync(frozen), false);
  for (const [p, at] of [
    [0xa1, 0],
    [0xc3, 65536],
    [0xd4, 131072],
  ] as const)
    assert.ok(await readsPattern(await disk(), p, at), `pattern ${p} at ${at} survived the merge`);
  assert.equal(existsSync(s2.disks[0]!.image), false);
  assert.equal(existsSync(join(snapshotRoot(), dom.uuid, 's2')), false);
  await bootOnce(dom);

  // s1 froze the original image, which has nothing below: deleting it only drops the record.
  const s1dir = join(snapshotRoot(), dom.uuid, 's1');
  assert.ok(existsSync(s1dir));
  const r = await deleteSnapshot(lv, name, 's1');
  assert.deepEqual(r.merged, []);
  assert.equal(existsSync(s1dir), false);
  assert.deepEqual(await listSnapshots(lv, name), []);
  assert.ok(await readsPattern(await disk(), 0xd4, 131072));

  await deleteVm(lv, name);
  assert.deepEqual(
    readdirSync(IMAGES).filter((f) => f.startsWith(name)),
    [],
  );
  assert.equal(existsSync(join(snapshotRoot(), dom.uuid)), false);
});
