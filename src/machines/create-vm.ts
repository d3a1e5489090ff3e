import { dirname, basename } from 'node:path';
import {
  isNotFound,
  ListNetworksFlags,
  type Libvirt,
  type StoragePool,
  type StorageVolume,
} from '../libvirt/index.js';
import { buildModel, type ExplainedDecision, type ModelDeps } from '../model/build-model.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import type { ModelOptions } from '../model/options.js';
import { escapeXml } from '../model/xml/serialize.js';
import { VmCreateError, VmExistsError } from './errors.js';
import { DEFAULT_NETWORK_XML, ensureNetwork } from './networks.js';

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

/**
 * Builds the VM model and defines the domain on libvirt. Bad options fail before anything is touched;
 * a failure after that removes whatever this call created (the new disk image), so a VM is either
 * fully there or not at all. The `default` NAT network is defined and started when a system VM needs it.
 */
export async function createVm(
  lv: Libvirt,
  options: ModelOptions,
  host: ModelHostFacts,
  deps: ModelDeps = {},
): Promise<CreatedVm> {
  const model = buildModel(options, host, deps);
  const nic = model.spec.devices.interfaces.find((i) => i.type === 'network' && i.network);
  // Asked at once: is the name taken, and is the network there and running (that one only starts or
  // defines the network when it must, and only after the name was found free).
  const exists = lv.domains.lookup(options.name).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );
  const activeNetworks = nic?.network ? lv.networks.list(ListNetworksFlags.ACTIVE) : undefined;
  activeNetworks?.catch(() => undefined); // awaited below unless the name is taken
  if (await exists) throw new VmExistsError(options.name);
  const network = nic?.network
    ? await ensureNetwork(
        lv,
        nic.network,
        nic.network === 'default' ? DEFAULT_NETWORK_XML : undefined,
        activeNetworks,
      )
    : undefined;

  let volume: StorageVolume | undefined;
  try {
    if (model.newDisk) volume = await createImage(lv, model.newDisk);
  } catch (err) {
    throw new VmCreateError(options.name, `creating its disk ${model.newDisk?.path}`, err);
  }
  try {
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
    await volume?.delete().catch(() => undefined);
    throw new VmCreateError(options.name, 'defining it on libvirt', err);
  }
}

/** A new qcow2 image through libvirt's storage API (so it works on remote hosts too). */
async function createImage(
  lv: Libvirt,
  disk: { path: string; sizeMiB: number; format: 'qcow2' },
): Promise<StorageVolume> {
  const pool = await poolFor(lv, dirname(disk.path));
  const xml = `<volume type='file'>
  <name>${escapeXml(basename(disk.path))}</name>
  <capacity unit='MiB'>${disk.sizeMiB}</capacity>
  <target><format type='${disk.format}'/></target>
</volume>`;
  return pool.volumes.create(xml);
}

/** The running pool whose target is `dir`; when none exists, a `dir` pool for it is defined and started. */
async function poolFor(lv: Libvirt, dir: string): Promise<StoragePool> {
  const pools = await lv.pools.list();
  for (const pool of pools) {
    const xml = await pool.xml();
    if (new RegExp(`<path>${escapeRegExp(escapeXml(dir))}/?</path>`).test(xml)) {
      if (!(await pool.isActive())) await pool.start();
      return pool;
    }
  }
  // libvirt's usual name for /var/lib/libvirt/images, unless a pool elsewhere already has it.
  const taken = new Set(pools.map((p) => p.name));
  const name =
    dir === '/var/lib/libvirt/images' && !taken.has('default')
      ? 'default'
      : `phyllome-${basename(dir) || 'images'}`;
  const pool = await lv.pools.define(
    `<pool type='dir'><name>${escapeXml(name)}</name><target><path>${escapeXml(dir)}</path></target></pool>`,
  );
  await pool.build();
  await pool.start();
  await pool.setAutostart(true);
  return pool;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
