/**
 * `vm nic add|list|remove`: extra network cards on a libvirt network or a host bridge, persistent,
 * and hot-plugged (or unplugged) when the VM runs. Every check is made before anything changes.
 */
import type { Libvirt } from '../libvirt/index.js';
import { InvalidInputError } from '../errors.js';
import { findVm } from '../machines/find-vm.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { childrenNamed, type XmlNode } from '../xml/node.js';
import { checkLocalBridge, remoteBridgeWarning } from './bridge-check.js';
import { changeDevice, otherVmXml, vmXml, type DeviceChange, removalPlan } from './change-device.js';
import { withDeviceAdded } from './domain-edit.js';
import { MacInUseError, NicNetworkNotFoundError, NicNotFoundError } from './errors.js';
import { devicesOf, guestNics, type GuestNic } from '../machines/guest-devices.js';
import { nicElement, normalMac, type NicModel, type NicSource } from './nic-xml.js';

export interface NicAddRequest {
  network?: string;
  bridge?: string;
  model?: NicModel;
  mac?: string;
}

export interface NicAddOutcome extends DeviceChange {
  nic: { type: 'network' | 'bridge'; source: string; model: NicModel; mac?: string };
  warnings: string[];
}

/** The source a request names: `--network` or `--bridge`, not both; neither is the default network. */
export function nicSource(req: NicAddRequest): NicSource {
  if (req.network !== undefined && req.bridge !== undefined)
    throw new InvalidInputError('Give --network or --bridge, not both', {
      hint: '--network joins a libvirt network (e.g. default); --bridge plugs into a bridge on the host (e.g. br0).',
    });
  return req.bridge !== undefined ? { bridge: req.bridge } : { network: req.network ?? 'default' };
}

/** Who has `mac` among the other VMs of the host (their definitions and, running, their live XML). */
async function macOwner(lv: Libvirt, mac: string, except: string): Promise<string | undefined> {
  for await (const { name, domain } of otherVmXml(lv, except))
    if (guestNics(domain).some((n) => n.mac === mac)) return `VM "${name}"`;
  return undefined;
}

export async function addNic(lv: Libvirt, name: string, req: NicAddRequest): Promise<NicAddOutcome> {
  const dom = await findVm(lv, name);
  const source = nicSource(req);
  const model = req.model ?? 'virtio';
  const mac = req.mac === undefined ? undefined : normalMac(req.mac);
  const warnings: string[] = [];
  if ('network' in source) {
    const networks = await lv.networks.list();
    const net = networks.find((n) => n.name === source.network);
    if (!net)
      throw new NicNetworkNotFoundError(
        source.network,
        networks.map((n) => n.name),
      );
    if (!(await net.isActive()))
      warnings.push(
        `The network "${source.network}" is not running: the VM cannot start until it does (virsh net-start ${source.network}).`,
      );
  } else {
    const remote = remoteHostOf(lv.requestedUri);
    if (remote === undefined) checkLocalBridge(source.bridge);
    else warnings.push(remoteBridgeWarning(source.bridge, remote));
  }
  const other = mac ? await macOwner(lv, mac, dom.uuid) : undefined;
  if (mac && other) throw new MacInUseError(mac, other);
  const element = nicElement({ source, model, ...(mac ? { mac } : {}) });
  const change = await changeDevice(lv, name, 'nic add', 'attach', (config, live) => {
    for (const x of [config, live])
      if (mac && x && guestNics(x).some((n) => n.mac === mac))
        throw new MacInUseError(mac, `VM "${name}" itself`);
    return { devices: [element], defined: withDeviceAdded(config, element), notLive: null };
  });
  // libvirt picked the MAC when none was given: the newest card with this source is ours.
  const { config } = await vmXml(lv, name);
  const type = 'network' in source ? 'network' : 'bridge';
  const sourceName = 'network' in source ? source.network : source.bridge;
  const added =
    mac ??
    guestNics(config)
      .filter((n) => n.type === type && n.source === sourceName)
      .at(-1)?.mac;
  return {
    ...change,
    nic: { type, source: sourceName, model, ...(added ? { mac: added } : {}) },
    warnings,
  };
}

export interface NicListOutcome {
  vm: string;
  running: boolean;
  /** From the definition; `live` says whether the running guest has it now (absent when shut off). */
  nics: (GuestNic & { live?: boolean })[];
}

export async function listNics(lv: Libvirt, name: string): Promise<NicListOutcome> {
  const { vm, config, live } = await vmXml(lv, name);
  const running = live !== null;
  const liveMacs = new Set(live ? guestNics(live).map((n) => n.mac) : []);
  return {
    vm,
    running,
    nics: guestNics(config).map((n) => (running ? { ...n, live: liveMacs.has(n.mac) } : n)),
  };
}

const nicWords = (n: GuestNic): string =>
  `${n.index} ${n.mac ?? '(no MAC)'} ${n.type}${n.source ? ` ${n.source}` : ''}`;

/** The `<interface>` of `domain` that `which` (a MAC address or an index) names. */
function findNic(vm: string, domain: XmlNode, which: string): { node: XmlNode; nic: GuestNic } {
  const nodes = childrenNamed(devicesOf(domain), 'interface');
  const nics = guestNics(domain);
  const at = /^\d+$/.test(which)
    ? Number(which)
    : nics.findIndex((n) => n.mac === (which.includes(':') ? normalMac(which) : which));
  const node = nodes[at];
  const nic = nics[at];
  if (at < 0 || !node || !nic) throw new NicNotFoundError(vm, which, nics.map(nicWords));
  return { node, nic };
}

export interface NicRemoveOutcome extends DeviceChange {
  removed: GuestNic;
}

export async function removeNic(lv: Libvirt, name: string, which: string): Promise<NicRemoveOutcome> {
  let removed: GuestNic | undefined;
  const change = await changeDevice(lv, name, 'nic remove', 'detach', (config, live) => {
    const { node, nic } = findNic(name, config, which);
    removed = nic;
    return removalPlan(config, live, node, {
      inLive: (l) => guestNics(l).some((n) => n.mac === nic.mac),
      notInGuest: 'the running guest does not have this card (it was added while it ran, for its next start)',
      // libvirt matches the card to detach by its MAC address.
      device: { ...node, children: node.children.filter((c) => ['mac', 'source', 'model'].includes(c.name)) },
    });
  });
  const gone = removed as GuestNic;
  if (change.applies === 'now') {
    // An unplug is a request to the guest: libvirt returns after waiting a few seconds for it.
    const { live } = await vmXml(lv, name);
    if (live && guestNics(live).some((n) => n.mac === gone.mac))
      return {
        ...change,
        detail:
          'gone from its definition; the guest has been asked to release it and has not yet (it goes when the guest agrees, or at the next start)',
        removed: gone,
      };
  }
  return { ...change, removed: gone };
}
