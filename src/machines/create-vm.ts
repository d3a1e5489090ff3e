import { dirname, basename } from 'node:path';
import {
  isNotFound,
  ListNetworksFlags,
  type Libvirt,
  type Network,
  type StoragePool,
  type StorageVolume,
} from '../libvirt/index.js';
import { buildDomainXml } from '../model/domain-xml/build-domain.js';
import { buildModel, type ExplainedDecision, type ModelDeps } from '../model/build-model.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import type { ModelOptions } from '../model/options.js';
import { parseXml } from '../xml/parse.js';
import { escapeXml, serializeXml } from '../xml/serialize.js';
import { dataDisks, writeChains, writeOwnedFiles } from './disk-chain.js';
import { NetworkMissingError, VmCreateError, VmDiskNoSpaceError, VmExistsError } from './errors.js';
import { domainExists, hostName } from './find-vm.js';
import { isNoSpace } from './no-space.js';
import { startUnlessStarted } from './start-unless-started.js';
import { untilRefreshed } from './volume-refreshed.js';
import { volumeXml } from './volume-xml.js';
import { EMPTY_QCOW2_MAX_BYTES, emptyQcow2 } from './empty-qcow2.js';
import { DEFAULT_NETWORK_XML, ensureNetwork } from './networks.js';
import { UndoList } from '../jobs/undo-list.js';

export interface CreatedVm {
  name: string;
  uuid: string;
  xml: string;
  decisions: ExplainedDecision[];
  warnings: string[];
  /** The disk image created for it, if any. */
  disk?: string;
  /** What was done to the network it joins (`default` is created/started when missing). */
  network?: { name: string; defined: boolean; started: boolean };
}

/** A storage pool with its XML and whether it runs, both asked at once (see `scanPools`). */
interface ScannedPool {
  pool: StoragePool;
  xml: Promise<string>;
  active: Promise<boolean>;
}

/**
 * What `createVm` asks libvirt before it changes anything: is the name taken, which networks run, which
 * storage pools there are. `startCreateLookups` asks it all at once as soon as there is a connection, so
 * the daemon answers while the host facts are still being gathered; `createVm` asks itself otherwise.
 */
export interface CreateVmLookups {
  /** The VM name `exists` is about (lookups for another name are not used). */
  name: string;
  exists: Promise<boolean>;
  activeNetworks: Promise<Network[]>;
  pools: Promise<ScannedPool[]>;
}

/** The promise itself, with a handler so that a rejection nobody awaits (an unused answer) stays quiet. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Is the name taken? */

/**
 * Every storage pool, each one's XML and state asked at once (they are read in order by `poolFor`). The
 * questions leave at once (`flush`): the list's answer comes with the host's capabilities, whose parsing
 * and the model built from them would otherwise hold them in the socket (2.4 ms of `vm create`).
 */
function scanPools(lv: Libvirt): Promise<ScannedPool[]> {
  return lv.pools.list().then((pools) => {
    const scanned = pools.map((pool) => ({ pool, xml: quiet(pool.xml()), active: quiet(pool.isActive()) }));
    lv.flush();
    return scanned;
  });
}

/**
 * Asks `createVm`'s questions for a VM called `name` now (read-only calls, all at once), to be passed in
 * `CreateVmDeps.lookups`. Nothing is thrown here: each answer, or its error, is taken where `createVm`
 * would have asked.
 */
export function startCreateLookups(lv: Libvirt, name: string): CreateVmLookups {
  return {
    name,
    exists: quiet(domainExists(lv, name)),
    activeNetworks: quiet(lv.networks.list(ListNetworksFlags.ACTIVE)),
    pools: quiet(scanPools(lv)),
  };
}

/** The steps of `createVm` that change something on libvirt, in order. */
export type CreateVmStep = 'network' | 'pool' | 'disk' | 'define';

export interface CreateVmDeps extends ModelDeps {
  /**
   * The definition of a network the VM joins that may be created when missing: libvirt's `default`
   * NAT network (`DEFAULT_NETWORK_XML`); any other missing network is an error.
   */
  networkDefinition?: (name: string) => string | undefined;
  /**
   * Called before each step that changes libvirt (a progress hook); a rejection fails that step
   * like a refusal from libvirt would, and is rolled back the same way.
   */
  beforeStep?: (step: CreateVmStep) => Promise<void> | void;
  /** The questions already asked (`startCreateLookups`); default: asked here. */
  lookups?: CreateVmLookups;
  /**
   * The identity the VM keeps from elsewhere (an imported bundle): its UUID, and the MAC addresses
   * of its network interfaces in order (fewer, or none: libvirt makes the rest).
   */
  identity?: { uuid: string; macs: string[] };
  /** The `diskImage` is the VM's own (an imported bundle's disk): `vm delete` removes it with the VM. */
  ownsDiskImage?: boolean;
  /** Other files that are the VM's own (an imported kernel and initrd): `vm delete` removes them too. */
  ownedFiles?: string[];
}

const STEP_WORDS: Record<CreateVmStep, (what: string) => string> = {
  network: (n) => `starting its network "${n}"`,
  pool: (dir) => `preparing the storage pool for ${dir}`,
  disk: (path) => `creating its disk ${path}`,
  define: () => 'defining it on libvirt',
};

/**
 * Builds the VM model and defines the domain on libvirt. Bad options fail before anything is touched.
 * Every change made on the way (the `default` network defined, autostarted and started; a storage
 * pool defined, built and started; the disk image) is recorded, and a failure of any later step
 * undoes them in reverse order, so a VM is either fully there or not at all. The original error is
 * the one thrown; anything that could not be undone is named in it (`VmCreateError.leftBehind`). A
 * disk that does not fit because the pool's filesystem is full is `VmDiskNoSpaceError` (`pool-full`).
 */
export async function createVm(
  lv: Libvirt,
  options: ModelOptions,
  host: ModelHostFacts,
  deps: CreateVmDeps = {},
): Promise<CreatedVm> {
  const model = buildModel(options, host, deps);
  if (deps.identity) {
    const { uuid, macs } = deps.identity;
    model.spec.uuid = uuid;
    model.spec.devices.interfaces.forEach((i, k) => {
      if (macs[k]) i.mac = macs[k];
    });
    model.xml = buildDomainXml(model.spec);
  }
  if ((deps.ownsDiskImage && options.diskImage) || deps.ownedFiles?.length) {
    const tree = parseXml(model.xml);
    if (deps.ownsDiskImage && options.diskImage) {
      const disks = dataDisks(tree).map((d) => ({ target: d.target, path: d.path, owned: true, bases: [] }));
      writeChains(tree, { disks, snapshots: [] });
    }
    if (deps.ownedFiles?.length) writeOwnedFiles(tree, deps.ownedFiles);
    model.xml = serializeXml(tree);
  }
  const nic = model.spec.devices.interfaces.find((i) => i.type === 'network' && i.network);
  const early = deps.lookups?.name === options.name ? deps.lookups : undefined;
  // Asked at once (unless asked earlier): is the name taken, and is the network there and running (that
  // one only starts or defines the network when it must, and only after the name was found free).
  const exists = early?.exists ?? domainExists(lv, options.name);
  const activeNetworks = nic?.network
    ? quiet(early?.activeNetworks ?? lv.networks.list(ListNetworksFlags.ACTIVE)) // awaited below unless the name is taken
    : undefined;
  if (await exists) throw new VmExistsError(options.name);

  const undo = new UndoList();
  const definitionOf =
    deps.networkDefinition ?? ((n: string) => (n === 'default' ? DEFAULT_NETWORK_XML : undefined));
  let step = 'network' as CreateVmStep; // set by `begin` (a closure: no narrowing)
  let what = nic?.network ?? '';
  const begin = async (s: CreateVmStep, w: string): Promise<void> => {
    step = s;
    what = w;
    await deps.beforeStep?.(s);
  };
  let poolName = '';
  try {
    let network: Awaited<ReturnType<typeof ensureNetwork>> | undefined;
    if (nic?.network) {
      await begin('network', nic.network);
      network = await ensureNetwork(lv, nic.network, definitionOf(nic.network), activeNetworks, undo);
    }
    if (model.newDisk) {
      await begin('pool', dirname(model.newDisk.path));
      const { pool, fileBased } = await poolFor(lv, dirname(model.newDisk.path), undo, early?.pools);
      poolName = pool.name;
      await begin('disk', model.newDisk.path);
      await createImage(pool, fileBased, model.newDisk, undo);
    }
    await begin('define', options.name);
    const dom = await lv.domains.define(model.xml);
    return {
      name: dom.name,
      uuid: dom.uuid,
      xml: model.xml,
      decisions: model.decisions,
      warnings: model.warnings,
      ...(model.newDisk ? { disk: model.newDisk.path } : {}),
      ...(network && nic?.network
        ? { network: { name: nic.network, defined: network.defined, started: network.started } }
        : {}),
    };
  } catch (err) {
    const leftBehind = await undo.run();
    // A missing network is the user's to fix, and its own typed error, when nothing else happened.
    if (err instanceof NetworkMissingError && leftBehind.length === 0) throw err;
    // A full pool is said as such (its own code), not as libvirt's qemu-img command line.
    if (step === 'disk' && isNoSpace(err))
      throw new VmDiskNoSpaceError(options.name, poolName, what, hostName(lv), err, leftBehind);
    throw new VmCreateError(options.name, STEP_WORDS[step](what), err, leftBehind);
  }
}

/**
 * A new qcow2 image through libvirt's storage API (so it works on remote hosts too), its undo recorded
 * in `undo` once the volume exists. In a pool of files it is a file volume of the image's few bytes,
 * uploaded (`emptyQcow2`: what `qemu-img create` writes, ~4 ms instead of ~15 through qemu-img) as a
 * sparse stream, its zeros as holes;
 * elsewhere, or for a disk over 64 TiB, libvirt runs qemu-img.
 */
async function createImage(
  pool: StoragePool,
  fileBased: boolean,
  disk: { path: string; sizeMiB: number; format: 'qcow2' },
  undo: UndoList,
): Promise<void> {
  const name = basename(disk.path);
  const bytes = disk.sizeMiB * 2 ** 20;
  const created = (volume: StorageVolume) =>
    undo.push(`created the disk ${disk.path}`, () => volume.delete());
  if (!fileBased || bytes > EMPTY_QCOW2_MAX_BYTES) {
    created(await pool.volumes.create(volumeXml(name, bytes, { format: disk.format })));
    return;
  }
  const image = emptyQcow2(bytes);
  const volume = await pool.volumes.create(volumeXml(name, image.length));
  created(volume);
  await volume.uploadBytesSparse(image);
  // What libvirt says of the new disk, right after: a qcow2 image of its virtual size.
  await untilRefreshed({ volume, pool }, BigInt(bytes));
}

/**
 * The pool types whose volumes are files in a local directory, which the daemon writes itself. Not
 * `netfs`: on an NFS export that squashes root, libvirt makes its files as the pool's owner, and only
 * qemu-img run as that owner may write them.
 */
const FILE_POOL_TYPES = new Set(['dir', 'fs']);

/** The storage pool `poolFor` found or made, and whether its volumes are files (see createImage). */
export interface DirPool {
  pool: StoragePool;
  fileBased: boolean;
}

/**
 * The running pool whose target is `dir` (the first in libvirt's list, from `scan`); when none exists,
 * a `dir` pool for it is defined and started (built first when the directory is missing). Each change
 * goes into `undo`. Another client doing the same at the same time is no failure: its pool is used.
 */
export async function poolFor(
  lv: Libvirt,
  dir: string,
  undo: UndoList,
  scan: Promise<ScannedPool[]> = scanPools(lv),
  retried = false,
): Promise<DirPool> {
  const scanned = await scan;
  const pools = scanned.map((p) => p.pool);
  for (const { pool, xml: xmlOf, active } of scanned) {
    // A pool another client removes meanwhile is simply not the one.
    const xml = await xmlOf.catch((err: unknown) => {
      if (isNotFound(err)) return '';
      throw err;
    });
    if (new RegExp(`<path>${escapeRegExp(escapeXml(dir))}/?</path>`).test(xml)) {
      if (!(await active) && (await startUnlessStarted(pool, retried)))
        undo.push(`started the storage pool "${pool.name}"`, () => pool.destroy());
      return { pool, fileBased: FILE_POOL_TYPES.has(/^\s*<pool type='([^']*)'/.exec(xml)?.[1] ?? '') };
    }
  }
  // libvirt's usual name for /var/lib/libvirt/images, unless a pool elsewhere already has it.
  const taken = new Set(pools.map((p) => p.name));
  const name =
    dir === '/var/lib/libvirt/images' && !taken.has('default')
      ? 'default'
      : `phyllome-${basename(dir) || 'images'}`;
  let pool: StoragePool;
  try {
    pool = await lv.pools.define(
      `<pool type='dir'><name>${escapeXml(name)}</name><target><path>${escapeXml(dir)}</path></target></pool>`,
    );
  } catch (err) {
    // Another client defined a pool for `dir` since the scan (two creates at once on a new host: "pool
    // 'default' already exists"): that one is used, as if the scan had seen it.
    if (!retried) return poolFor(lv, dir, undo, scanPools(lv), true);
    throw err;
  }
  undo.push(`defined the storage pool "${name}"`, () => pool.undefine());
  // An existing directory starts as it is; a missing one is created by building the pool (through
  // libvirt, so this works on a remote host too) and removed again on undo (pool delete = rmdir).
  let started = await pool.start().then(
    () => true,
    () => false,
  );
  // Not started, yet active: another client started it meanwhile, and it is that client's to stop.
  if (!started && !(await pool.isActive())) {
    await pool.build();
    undo.push(`created the directory ${dir}`, () => pool.delete());
    started = await startUnlessStarted(pool);
  }
  if (started) undo.push(`started the storage pool "${name}"`, () => pool.destroy());
  await pool.setAutostart(true);
  return { pool, fileBased: true };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
