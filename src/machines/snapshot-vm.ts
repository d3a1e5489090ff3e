/**
 * Snapshots of a shut-off VM built on qcow2 overlays (libvirt 9.0 cannot snapshot pflash guests
 * internally, nor revert external snapshots; docs/snapshots.md): create freezes the current images
 * and copies the NVRAM file and the TPM state into a directory of its own (on the VM's host: through
 * its libvirt storage API when it is remote, state-copier.ts); revert puts a new overlay
 * on the frozen images and restores the copies; delete drops the record and merges the frozen layer
 * into the images above it when nothing else stands on it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DomainXmlFlags, isLocal, parseUri, type Domain, type Libvirt } from '../libvirt/index.js';
import { InvalidInputError } from '../errors.js';
import { UndoList } from '../jobs/undo-list.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { SnapshotExistsError, SnapshotNotFoundError, VmChangeError } from './chain-errors.js';
import { requireShutOff } from './clone-vm.js';
import {
  createOverlay,
  dataDisks,
  deleteImage,
  formatOf,
  overlayName,
  pointDiskAt,
  readChains,
  writeChains,
  type ChainMetadata,
  type SnapshotRecord,
} from './disk-chain.js';
import { imagesInUse } from './images-in-use.js';
import { findVm } from './find-vm.js';
import { restoreState, stateCopier, type StateCopier } from './state-copier.js';
import { hasEmulatedTpm, nvramPath, snapshotRoot, tpmDir } from './state-files.js';
import { withVmLock } from './vm-lock.js';

const run = promisify(execFile);
const SNAP_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$/;

export interface SnapshotInfo {
  name: string;
  created: string;
  disks: { target: string; image: string }[];
  nvram: boolean;
  tpm: boolean;
}

function info(s: SnapshotRecord): SnapshotInfo {
  return {
    name: s.name,
    created: s.created,
    disks: s.disks.map((d) => ({ target: d.target, image: d.image.path })),
    nvram: s.nvram !== undefined,
    tpm: s.tpm !== undefined,
  };
}

/** Runs `fn` on the shut-off VM's parsed XML and chain metadata, inside its lock. */
async function onShutOffVm<T>(
  lv: Libvirt,
  name: string,
  op: string,
  fn: (dom: Domain, xml: string, meta: ChainMetadata, files: StateCopier) => Promise<T>,
): Promise<T> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, op, async () => {
    await requireShutOff(dom, op === 'snapshot create' ? 'A snapshot' : 'This snapshot operation');
    const xml = await dom.xml(DomainXmlFlags.INACTIVE);
    return fn(dom, xml, readChains(parseXml(xml)), stateCopier(lv));
  });
}

function find(meta: ChainMetadata, vm: string, snap: string): SnapshotRecord {
  const s = meta.snapshots.find((x) => x.name === snap);
  if (!s)
    throw new SnapshotNotFoundError(
      vm,
      snap,
      meta.snapshots.map((x) => x.name),
    );
  return s;
}

/** Redefines the domain from `xml` with its disks moved as `meta` says. */
function withMeta(xml: string, meta: ChainMetadata): string {
  const tree = parseXml(xml);
  for (const d of dataDisks(tree)) {
    const chain = meta.disks.find((c) => c.target === d.target);
    if (chain && chain.path !== d.path) pointDiskAt(d.node, chain.path);
  }
  writeChains(tree, meta);
  return serializeXml(tree);
}

export async function listSnapshots(lv: Libvirt, name: string): Promise<SnapshotInfo[]> {
  const dom = await findVm(lv, name);
  return readChains(parseXml(await dom.xml(DomainXmlFlags.INACTIVE))).snapshots.map(info);
}

export async function createSnapshot(lv: Libvirt, name: string, snap: string): Promise<SnapshotInfo> {
  if (!SNAP_RE.test(snap))
    throw new InvalidInputError(`The snapshot name ${JSON.stringify(snap)} is not allowed`, {
      hint: 'Use letters, digits and . _ + - (at most 63, starting with a letter or digit).',
    });
  return onShutOffVm(lv, name, 'snapshot create', async (dom, xml, meta, files) => {
    if (meta.snapshots.some((s) => s.name === snap)) throw new SnapshotExistsError(name, snap);
    const tree = parseXml(xml);
    const dir = join(snapshotRoot(), dom.uuid, snap);
    const undo = new UndoList();
    let step = `creating ${dir}`;
    try {
      await files.makeDir(dir);
      undo.push(`created ${dir}`, () => files.remove(dir));
      const rec: SnapshotRecord = { name: snap, created: new Date().toISOString(), dir, disks: [] };
      const disks = [];
      for (const chain of meta.disks) {
        step = `freezing ${chain.path}`;
        const vol = await createOverlay(lv, chain.path, overlayName(name, chain.target));
        const path = await vol.path();
        undo.push(`created ${path}`, () => vol.delete());
        const image = { path: chain.path, owned: chain.owned };
        rec.disks.push({ target: chain.target, image, bases: chain.bases });
        disks.push({ target: chain.target, path, owned: true, bases: [image, ...chain.bases] });
      }
      const nvram = nvramPath(tree);
      if (nvram && (await files.exists(nvram))) {
        step = 'copying the UEFI variables';
        rec.nvram = join(dir, 'VARS.fd');
        await files.copy(nvram, rec.nvram);
      }
      const tpm = join(tpmDir(dom.uuid), 'tpm2');
      if (hasEmulatedTpm(tree) && (await files.exists(tpm))) {
        step = 'copying the TPM state';
        rec.tpm = join(dir, 'tpm2');
        await files.copy(tpm, rec.tpm);
      }
      step = 'recording the snapshot';
      await lv.domains.define(withMeta(xml, { disks, snapshots: [...meta.snapshots, rec] }));
      return info(rec);
    } catch (err) {
      const leftBehind = await undo.run();
      throw new VmChangeError('snapshot-failed', `snapshot "${name}"`, step, err, leftBehind);
    }
  });
}

export async function revertSnapshot(lv: Libvirt, name: string, snap: string): Promise<SnapshotInfo> {
  return onShutOffVm(lv, name, 'snapshot revert', async (dom, xml, meta, files) => {
    const rec = find(meta, name, snap);
    const tree = parseXml(xml);
    const undo = new UndoList();
    let step = 'putting overlays on the frozen images';
    const old = meta.disks.map((d) => ({ path: d.path, owned: d.owned }));
    try {
      const disks = [];
      for (const d of rec.disks) {
        const vol = await createOverlay(lv, d.image.path, overlayName(name, d.target));
        const path = await vol.path();
        undo.push(`created ${path}`, () => vol.delete());
        disks.push({ target: d.target, path, owned: true, bases: [d.image, ...d.bases] });
      }
      step = 'moving the VM onto them';
      const next = { disks, snapshots: meta.snapshots };
      await lv.domains.define(withMeta(xml, next));
      undo.push(`redefined "${name}"`, () => lv.domains.define(xml));
      step = 'restoring the UEFI variables and TPM state';
      const nvram = nvramPath(tree);
      if (nvram) await restoreState(files, rec.nvram, nvram);
      if (hasEmulatedTpm(tree)) await restoreState(files, rec.tpm, join(tpmDir(dom.uuid), 'tpm2'));
    } catch (err) {
      const leftBehind = await undo.run();
      throw new VmChangeError('snapshot-failed', `revert "${name}" to "${snap}"`, step, err, leftBehind);
    }
    // The images the VM ran on since: gone unless a snapshot or another domain stands on them.
    const used = await imagesInUse(lv, dom.uuid);
    const frozen = new Set(
      meta.snapshots.flatMap((s) => s.disks.flatMap((d) => [d.image.path, ...d.bases.map((b) => b.path)])),
    );
    for (const o of old)
      if (o.owned && !frozen.has(o.path) && !used.has(o.path)) await deleteImage(lv, o.path);
    return info(rec);
  });
}

/**
 * Drops the snapshot's record and copies; its frozen image is merged into the images directly on it
 * (`qemu-img rebase` onto the image below, which keeps what each one reads) and deleted, when it has
 * an image below, Phyllome made it, and no other domain stands on it or on those images. Otherwise
 * it stays as a plain layer of the chain, deleted with the VM.
 */
export async function deleteSnapshot(
  lv: Libvirt,
  name: string,
  snap: string,
): Promise<SnapshotInfo & { merged: string[] }> {
  return onShutOffVm(lv, name, 'snapshot delete', async (dom, xml, meta, files) => {
    const rec = find(meta, name, snap);
    const rest = meta.snapshots.filter((s) => s !== rec);
    const next: ChainMetadata = { disks: meta.disks, snapshots: rest };
    const merged: string[] = [];
    const used = await imagesInUse(lv, dom.uuid);
    const local = isLocal(parseUri(lv.requestedUri));
    for (const d of rec.disks) {
      const image = d.image.path;
      const below = d.bases[0];
      if (!below || !d.image.owned || !local || used.has(image)) continue;
      // The images standing right on it: the current one and later snapshots' frozen ones.
      const children = [
        ...next.disks.filter((c) => c.bases[0]?.path === image).map((c) => c.path),
        ...rest.flatMap((s) => s.disks.filter((x) => x.bases[0]?.path === image).map((x) => x.image.path)),
      ];
      if (children.some((c) => used.has(c))) continue;
      const format = await formatOf(lv, below.path);
      for (const c of children)
        await run('qemu-img', ['rebase', '-f', 'qcow2', '-F', format, '-b', below.path, c]);
      const drop = (bases: { path: string }[]) => bases.filter((b) => b.path !== image);
      next.disks = next.disks.map((c) => ({ ...c, bases: drop(c.bases) as typeof c.bases }));
      next.snapshots = next.snapshots.map((s) => ({
        ...s,
        disks: s.disks.map((x) => ({ ...x, bases: drop(x.bases) as typeof x.bases })),
      }));
      await lv.domains.define(withMeta(xml, next));
      xml = await dom.xml(DomainXmlFlags.INACTIVE);
      await deleteImage(lv, image);
      merged.push(image);
    }
    await lv.domains.define(withMeta(xml, next));
    await files.remove(rec.dir);
    return { ...info(rec), merged };
  });
}
