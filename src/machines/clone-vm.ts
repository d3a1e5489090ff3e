import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DomainXmlFlags, type Domain, type Libvirt } from '../libvirt/index.js';
import { validateName } from '../model/options.js';
import type { JobContext } from '../jobs/job.js';
import { UndoList } from '../jobs/undo-list.js';
import { copyDiskSparse } from './disk-copy.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { VmChangeError } from './chain-errors.js';
import {
  createOverlay,
  dataDisks,
  overlayName,
  pointDiskAt,
  shortId,
  readChains,
  writeChains,
  type DiskChain,
} from './disk-chain.js';
import { VmExistsError, VmStateError } from './errors.js';
import { domainExists, findVm } from './find-vm.js';
import { stateCopier } from './state-copier.js';
import { hasEmulatedTpm, nvramPath, nvramPathFor, tpmDir } from './state-files.js';
import { withNewVmLock, withVmLock } from './vm-lock.js';

export interface CloneVmOptions {
  /**
   * An independent copy of each disk instead of overlays (sparse-aware, `copyDiskSparse`), with
   * progress through `job`; the source is not changed.
   */
  full?: boolean;
  /** The job this clone runs in: progress and cancellation for `full`. */
  job?: JobContext;
  /** The clone gets no copy of the TPM state: swtpm makes a fresh TPM at its first start. */
  newTpm?: boolean;
  /** Aborted = cancel: stops before the next step and undoes what was done. */
  signal?: AbortSignal;
  /** A test's hook on the clone's domain XML before it is defined (to make libvirt refuse it). */
  cloneXml?: (xml: string) => string;
}

export interface ClonedVm {
  name: string;
  uuid: string;
  source: string;
  linked: boolean;
  /** The clone's disks: its overlay and the frozen image it stands on (none for a full copy). */
  disks: { target: string; path: string; base?: string }[];
  /** The source's new overlays (it stays usable; the frozen base is never written again); none for --full. */
  sourceDisks: { target: string; path: string }[];
  macs: string[];
  nvram?: string;
  tpm: 'copied' | 'fresh' | 'none';
}

/** The VM must be shut off for `op`; a typed `vm-wrong-state` error otherwise. */
export async function requireShutOff(dom: Domain, op: string): Promise<void> {
  const { state } = await dom.state();
  if (state !== 'shutoff')
    throw new VmStateError(
      dom.name,
      state,
      `${op} needs it shut off, so that its disks, UEFI variables and TPM state are consistent`,
      `Shut it down first: phyllo vm shutdown ${dom.name}`,
    );
}

/**
 * What a clone checks before it starts: the new name is valid and free, and the source exists (typed
 * `invalid-name`, `vm-exists`, `vm-not-found`); returns the source. A caller that runs the clone as a
 * job (the API) asks this first, so these refusals come at once rather than as a failed job.
 */
export async function checkClone(lv: Libvirt, source: string, name: string): Promise<Domain> {
  validateName(name);
  const [src, taken] = await Promise.all([findVm(lv, source), domainExists(lv, name)]);
  if (taken) throw new VmExistsError(name);
  return src;
}

/**
 * A linked clone: each data disk's current image of the (shut off) source is frozen as a read-only
 * base, and both the source and the clone get a fresh qcow2 overlay on it (created through libvirt,
 * a header whatever the disk's size). The clone gets a new name, UUID and MAC addresses, a copy of
 * the UEFI variable store and (unless `newTpm`) of the TPM state, placed where libvirt looks for
 * them before its first start. Both chains are recorded in our metadata. Any failure or a cancel
 * undoes everything: the overlays are deleted, the copies removed, the source redefined as it was.
 */
export async function cloneVm(
  lv: Libvirt,
  source: string,
  name: string,
  opts: CloneVmOptions = {},
): Promise<ClonedVm> {
  const src = await checkClone(lv, source, name);
  const uuid = randomUUID();
  return withVmLock(lv, src, `clone to ${name}`, () =>
    withNewVmLock(lv, { name, uuid }, `clone from ${source}`, async () => {
      const [, oldXml] = await Promise.all([
        requireShutOff(src, 'Cloning'),
        src.xml(DomainXmlFlags.INACTIVE),
      ]);
      const tree = parseXml(oldXml, `the domain XML of "${source}"`);
      // NVRAM and TPM state on the VM's host: its file system here, its libvirt storage API remotely.
      const files = stateCopier(lv);
      const undo = new UndoList();
      let step = 'reading its disks';
      try {
        const meta = readChains(tree);
        const srcTree = parseXml(oldXml);
        const dstTree = parseXml(oldXml);
        const srcDisks = dataDisks(srcTree);
        const dstDisks = dataDisks(dstTree);
        const result: ClonedVm = {
          name,
          uuid,
          source,
          linked: !opts.full,
          disks: [],
          sourceDisks: [],
          macs: [],
          tpm: 'none',
        };
        const srcChains: DiskChain[] = [];
        const dstChains: DiskChain[] = [];
        for (const [i, disk] of dataDisks(tree).entries()) {
          opts.signal?.throwIfAborted();
          const chain = meta.disks.find((d) => d.target === disk.target)!;
          if (opts.full) {
            step = `copying ${disk.path}`;
            const vol = await lv.volumes.lookupByPath(disk.path);
            const format = disk.format === 'raw' && chain.bases.length === 0 ? 'raw' : 'qcow2';
            const job = opts.job ?? detachedJob(opts.signal, undo);
            const copy = await copyDiskSparse(
              lv,
              vol,
              { pool: vol.poolName, name: `${name}-${disk.target}-${shortId()}.${format}`, format },
              job,
            );
            // copyDiskSparse recorded the new volume in the job's undo list.
            pointDiskAt(dstDisks[i]!.node, copy.path, format);
            dstChains.push({ target: disk.target, path: copy.path, owned: true, bases: [] });
            result.disks.push({ target: disk.target, path: copy.path });
            continue;
          }
          // Frozen from the source: `vm info` finds the source's clones by this mark.
          const bases = [{ path: disk.path, owned: chain.owned, from: src.uuid }, ...chain.bases];
          step = `putting overlays on ${disk.path}`;
          // The two overlays at once: each is a qcow2 header the daemon writes with qemu-img.
          const made = await undo.all(
            [source, name].map(async (vm) => {
              const vol = await createOverlay(lv, disk.path, overlayName(vm, disk.target));
              return { vol, path: await vol.path() };
            }),
            ({ vol, path }) => [`created ${path}`, () => vol.delete()],
          );
          const [minePath, theirsPath] = [made[0]!.path, made[1]!.path];
          pointDiskAt(srcDisks[i]!.node, minePath);
          pointDiskAt(dstDisks[i]!.node, theirsPath);
          srcChains.push({ target: disk.target, path: minePath, owned: true, bases });
          dstChains.push({ target: disk.target, path: theirsPath, owned: true, bases });
          result.disks.push({ target: disk.target, path: theirsPath, base: disk.path });
          result.sourceDisks.push({ target: disk.target, path: minePath });
        }
        if (!opts.full) writeChains(srcTree, { disks: srcChains, snapshots: meta.snapshots });
        writeChains(dstTree, { disks: dstChains, snapshots: [] });
        renameTree(dstTree, source, name, uuid);

        opts.signal?.throwIfAborted();
        const srcNvram = nvramPath(tree);
        if (srcNvram && (await files.exists(srcNvram))) {
          const dstNvram = nvramPathFor(srcNvram, name);
          const nv = child(child(dstTree, 'os'), 'nvram');
          if (nv) nv.text = dstNvram;
          step = `copying the UEFI variables to ${dstNvram}`;
          // Complete or absent: a failed copy removes what it wrote.
          await files.copy(srcNvram, dstNvram);
          undo.push(`copied ${dstNvram}`, () => files.remove(dstNvram));
          result.nvram = dstNvram;
        } else {
          const nv = child(child(dstTree, 'os'), 'nvram');
          if (nv?.text && srcNvram) nv.text = nvramPathFor(srcNvram, name);
        }
        if (hasEmulatedTpm(tree)) {
          const from = join(tpmDir(src.uuid), 'tpm2');
          result.tpm = 'fresh';
          if (!opts.newTpm && (await files.exists(from))) {
            step = 'copying the TPM state';
            // A stale directory for a brand-new UUID cannot exist; the copy fails rather than merge.
            // Undone from here: a failed copy may leave the directories made above tpm2.
            undo.push(`copied the TPM state to ${tpmDir(uuid)}`, () => files.remove(tpmDir(uuid)));
            await files.copy(from, join(tpmDir(uuid), 'tpm2'));
            result.tpm = 'copied';
          }
        }

        opts.signal?.throwIfAborted();
        // The source moves onto its overlay and the clone is defined at once (independent domains).
        step = opts.full
          ? `defining "${name}"`
          : `defining "${name}" and moving "${source}" onto its new overlays`;
        const xml = serializeXml(dstTree);
        const defines = await undo.all(
          [
            lv.domains.define(opts.cloneXml ? opts.cloneXml(xml) : xml).then((d) => ({ d, clone: true })),
            ...(opts.full
              ? []
              : [lv.domains.define(serializeXml(srcTree)).then((d) => ({ d, clone: false }))]),
          ],
          ({ d, clone }) =>
            clone
              ? [`defined "${name}"`, () => d.undefine(4)]
              : [`redefined "${source}"`, () => lv.domains.define(oldXml)],
        );
        const dom = defines[0]!.d;
        opts.signal?.throwIfAborted();
        const defined = parseXml(await dom.xml(DomainXmlFlags.INACTIVE));
        result.macs = childrenNamed(child(defined, 'devices'), 'interface')
          .map((n) => child(n, 'mac')?.attrs.address)
          .filter((m): m is string => Boolean(m));
        return result;
      } catch (err) {
        const leftBehind = await undo.run();
        if (opts.signal?.aborted) throw Object.assign(err as object, { leftBehind });
        throw new VmChangeError('vm-clone-failed', `clone "${source}" to "${name}"`, step, err, leftBehind);
      }
    }),
  );
}

/** A job context for a full copy run outside a job: the clone's own undo list and signal. */
function detachedJob(signal: AbortSignal | undefined, undo: UndoList): JobContext {
  return { signal: signal ?? new AbortController().signal, progress: () => undefined, undo };
}

/** The clone's identity: new name and UUID; MAC addresses dropped so libvirt picks new ones. */
function renameTree(tree: XmlNode, source: string, name: string, uuid: string): void {
  const set = (tag: string, value: string) => {
    const node = child(tree, tag);
    if (node) node.text = value;
    else tree.children.unshift(el(tag, {}, value));
  };
  set('uuid', uuid);
  set('name', name);
  tree.children.sort((a, b) => (a.name === 'name' ? -1 : b.name === 'name' ? 1 : 0));
  for (const nic of childrenNamed(child(tree, 'devices'), 'interface'))
    nic.children = nic.children.filter((c) => c.name !== 'mac' && c.name !== 'target');
  for (const g of childrenNamed(child(tree, 'devices'), 'graphics'))
    if (g.attrs.autoport !== 'no') delete g.attrs.port;
  // Serial and console logs are the VM's own: the clone's name replaces the source's in the file name.
  for (const dev of child(tree, 'devices')?.children ?? []) {
    const log = child(dev, 'log');
    if (log?.attrs.file) log.attrs.file = logFileFor(log.attrs.file, source, name);
  }
}

export function logFileFor(file: string, source: string, name: string): string {
  const cut = file.lastIndexOf('/') + 1;
  const base = file.slice(cut);
  const renamed = base.includes(source) ? base.split(source).join(name) : `${name}-${base}`;
  return file.slice(0, cut) + renamed;
}
