import { join } from 'node:path';
import { DomainXmlFlags, isNotFound, UndefineFlags, type Libvirt } from '../libvirt/index.js';
import { parseXml } from '../xml/parse.js';
import { dataDisks, deleteImage, imagesNeeded, ownedFiles, readChains } from './disk-chain.js';
import { imagesInUse } from './images-in-use.js';
import { VmStateError } from './errors.js';
import { findVm } from './find-vm.js';
import { stateCopier } from './state-copier.js';
import { hasEmulatedTpm, nvramPath, snapshotRoot, tpmDir } from './state-files.js';
import { withVmLock } from './vm-lock.js';

export interface DeleteVmOptions {
  /** Keep every disk image (only the definition, NVRAM, TPM state and snapshots go). */
  keepDisks?: boolean;
  /** Power a running VM off first instead of refusing. */
  force?: boolean;
  /** Also delete images the user brought (`vm create --disk-image`). */
  deleteImages?: boolean;
}

export interface DeletedVm {
  name: string;
  uuid: string;
  /** Images deleted. */
  removed: string[];
  /** Images kept, and why. */
  kept: { path: string; why: string }[];
  snapshots: string[];
  nvram?: string;
  tpm?: string;
  poweredOff: boolean;
}

/**
 * Deletes a VM: its definition, NVRAM, TPM state, snapshots, and the disk images it owns. An image
 * any other domain on the host uses (a linked clone's base, a shared disk: every domain's disks and
 * backing chains are checked, not only our metadata) is kept, and so is an image the user brought
 * with --disk-image unless `deleteImages`.
 */
export async function deleteVm(lv: Libvirt, name: string, opts: DeleteVmOptions = {}): Promise<DeletedVm> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, 'delete', async () => {
    const { state } = await dom.state();
    const running = state !== 'shutoff' && state !== 'crashed';
    if (running && !opts.force)
      throw new VmStateError(
        name,
        state,
        'a VM that is not shut off is not deleted without --force',
        `Shut it down first (phyllo vm shutdown ${name}), or add --force to power it off and delete it.`,
      );
    const tree = parseXml(await dom.xml(DomainXmlFlags.INACTIVE));
    const meta = readChains(tree);
    const result: DeletedVm = {
      name,
      uuid: dom.uuid,
      removed: [],
      kept: [],
      snapshots: meta.snapshots.map((s) => s.name),
      poweredOff: false,
    };
    const candidates = imagesNeeded(meta);
    // Disks of ours the metadata does not know (a VM made elsewhere) are still the VM's own.
    for (const d of dataDisks(tree))
      if (!candidates.some((c) => c.path === d.path)) candidates.push({ path: d.path, owned: true });
    const used = opts.keepDisks ? new Map<string, string>() : await imagesInUse(lv, dom.uuid);

    if (running) {
      await dom.destroy();
      result.poweredOff = true;
    }
    const nvram = nvramPath(tree);
    await dom
      .undefine(
        UndefineFlags.NVRAM |
          UndefineFlags.MANAGED_SAVE |
          UndefineFlags.SNAPSHOTS_METADATA |
          UndefineFlags.CHECKPOINTS_METADATA |
          (hasEmulatedTpm(tree) ? UndefineFlags.TPM : 0),
      )
      .catch((err: unknown) => {
        // A transient VM (started from XML, never defined) is gone once powered off: nothing to undefine.
        if (!(result.poweredOff && isNotFound(err))) throw err;
      });
    // What libvirt's undefine left, on the VM's host (its storage API when remote).
    const files = stateCopier(lv);
    if (nvram) {
      await files.remove(nvram).catch(() => undefined);
      result.nvram = nvram;
    }
    if (hasEmulatedTpm(tree)) {
      await files.remove(tpmDir(dom.uuid));
      result.tpm = tpmDir(dom.uuid);
    }
    // Files it brought with it (an imported kernel and initrd).
    for (const f of ownedFiles(tree)) {
      await files.remove(f);
      result.removed.push(f);
    }
    for (const s of meta.snapshots) await files.remove(s.dir);
    await files.remove(join(snapshotRoot(), dom.uuid));

    for (const img of candidates) {
      if (opts.keepDisks) result.kept.push({ path: img.path, why: '--keep-disks' });
      else if (used.has(img.path))
        result.kept.push({ path: img.path, why: `used by "${used.get(img.path)}"` });
      else if (!img.owned && !opts.deleteImages)
        result.kept.push({ path: img.path, why: 'brought with --disk-image (add --delete-images)' });
      else {
        if (await deleteImage(lv, img.path)) result.removed.push(img.path);
        else result.kept.push({ path: img.path, why: 'in no storage pool (or already gone)' });
      }
    }
    return result;
  });
}
