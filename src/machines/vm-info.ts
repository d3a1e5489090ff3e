import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Domain, DomainState, Libvirt } from '../libvirt/index.js';
import type { PhyllomeMetadata } from '../model/spec.js';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import {
  guestHostdevs,
  guestMdevHostdevs,
  guestUsbHostdevs,
  usbHostdevOf,
  hostdevAddress,
  type GuestMdevHostdev,
  type GuestUsbHostdev,
  guestNics,
  guestShares,
  type GuestHostdev,
  type GuestNic,
  type GuestShare,
} from './guest-devices.js';
import { readChains } from './disk-chain.js';
import { localBackingChain, xmlBackingChain, type ChainImage } from './image-chain.js';
import { dependentsOf, hostImages, ownImages } from './images-in-use.js';
import { VmNotFoundError } from './errors.js';
import { findVm, hostName } from './find-vm.js';
import { remoteHostOf } from './model-host-facts.js';
import { displayAddress, readGraphics } from './vm-display.js';
import { listVms, type VmListEntry } from './vm-list.js';
import { domainConfigDir } from './shutoff-vm-cache.js';

export interface VmDiskInfo {
  target: string;
  device: string;
  bus?: string;
  source?: string;
  format?: string;
  allocationBytes?: number;
  capacityBytes?: number;
  /** The disk's own image first, then what it is based on; null when it cannot be read from here. */
  backingChain: ChainImage[] | null;
}

export interface VmDisplay {
  type: string;
  /** `vnc://127.0.0.1:5900` (as `vm display` gives it); absent while not running or without a network listener. */
  address?: string;
  /** The address it is bound to, `none`, or a UNIX socket's path. */
  listen?: string;
  /** How to reach it from here when that is not plain (a remote host's loopback, a socket, no listener). */
  note?: string;
}

export interface VmStateFile {
  path: string;
  /** Whether it is there; null on a remote host (not looked at). */
  exists: boolean | null;
}

export interface VmSnapshotInfo {
  name: string;
  createdAt?: string;
  state?: string;
}

export interface VmInfoFacts {
  name: string;
  uuid: string;
  state: DomainState;
  /** Whether libvirt starts the VM when its daemon starts (`virDomainGetAutostart`). */
  autostart: boolean;
  domainType: string;
  machine?: string;
  firmware?: string;
  /** From the list's one stats call: vCPUs, memory, uptime, memory in use. */
  summary: VmListEntry;
  /** What `phyllo vm create` recorded: profile, OS, model version, the options given. */
  phyllome?: PhyllomeMetadata;
  libosinfoId?: string;
  /** Every device, in the XML's order, identical ones counted: `interface type=network network=default model=virtio`. */
  devices: { kind: string; summary: string; count: number }[];
  disks: VmDiskInfo[];
  /** Its network cards, shared folders (virtiofs) and PCI host devices, as `vm nic/share/device list` show them. */
  nics: GuestNic[];
  shares: GuestShare[];
  hostdevs: GuestHostdev[];
  /** USB host devices (by VID:PID or BUS.DEVICE) and mediated devices (by UUID), as `vm device list` shows them. */
  usbDevices: GuestUsbHostdev[];
  mdevDevices: GuestMdevHostdev[];
  displays: VmDisplay[];
  nvram: VmStateFile | null;
  tpm: (VmStateFile & { model: string; version: string }) | null;
  snapshots: VmSnapshotInfo[];
  /**
   * The VMs that stand on this VM's images (its linked clones, and theirs): from every domain's chain
   * records and the backing chains libvirt reports (see `dependentsOf`), so a remote host's too.
   */
  dependentClones: string[];
}

const DEVICE_ATTRS = ['type', 'device', 'model', 'bus'];

function deviceSummary(node: XmlNode): string {
  const parts = DEVICE_ATTRS.filter((a) => node.attrs[a]).map((a) => `${a}=${node.attrs[a]}`);
  const src = child(node, 'source');
  for (const key of ['network', 'bridge', 'file', 'dev', 'path', 'mode'])
    if (src?.attrs[key]) parts.push(`${key}=${src.attrs[key]}`);
  const model = child(node, 'model')?.attrs.type ?? child(node, 'model')?.attrs.name;
  if (model && !node.attrs.model) parts.push(`model=${model}`);
  const target = child(node, 'target')?.attrs.dev;
  if (target) parts.push(`target=${target}`);
  if (node.name === 'hostdev') {
    const usb = usbHostdevOf(node);
    const uuid = child(src, 'address')?.attrs.uuid;
    if (usb) parts.push(`usb=${usb.id}`);
    else if (uuid) parts.push(`uuid=${uuid}`);
    else if (node.attrs.type === 'pci') parts.push(`address=${hostdevAddress(node)}`);
  }
  return parts.join(' ');
}

/** vm info's view of each `<graphics>`: where it listens, and (running) the address to reach it from here. */
export function displaysOf(
  devices: XmlNode | undefined,
  active: boolean,
  remote: string | undefined,
): VmDisplay[] {
  return readGraphics(devices).map((g) => {
    const listen = g.listener === 'none' ? 'none' : g.listener === 'socket' ? g.socket : g.listen;
    const reach = displayAddress(g, remote);
    return {
      type: g.type,
      ...(listen ? { listen } : {}),
      ...(active && g.listener === 'address' && reach.address ? { address: reach.address } : {}),
      ...((active || g.listener !== 'address') && reach.note ? { note: reach.note } : {}),
    };
  });
}

function stateFile(path: string, local: boolean): VmStateFile {
  return { path, exists: local ? existsSync(path) : null };
}

/**
 * Where libvirt keeps a VM's emulated TPM: /var/lib/libvirt/swtpm/UUID/tpm2 for the system daemon,
 * SESSIONDIR/swtpm/UUID/tpm2 for a session daemon (libvirt's defaults), unless the XML names a source
 * directory. `sessionDir` is the session daemon's `qemu` config dir (`domainConfigDir`:
 * $XDG_CONFIG_HOME/libvirt/qemu, else ~/.config/libvirt/qemu).
 */
export function tpmStatePath(tpm: XmlNode, uuid: string, session: boolean, sessionDir: string): string {
  const backend = child(tpm, 'backend');
  const source = child(backend, 'source');
  if (source?.attrs.path) return source.attrs.path;
  const dir = backend?.attrs.version === '1.2' ? 'tpm1.2' : 'tpm2';
  return session ? join(sessionDir, 'swtpm', uuid, dir) : join('/var/lib/libvirt/swtpm', uuid, dir);
}

/**
 * Where libvirt puts the UEFI variables of a VM whose XML does not name the file yet (firmware='efi' is
 * resolved when it first starts): /var/lib/libvirt/qemu/nvram/NAME_VARS.fd for the system daemon,
 * SESSIONDIR/nvram/NAME_VARS.fd for a session daemon (see `tpmStatePath`).
 */
export function defaultNvram(os: XmlNode | undefined, name: string, session: boolean, sessionDir: string) {
  const efi = os?.attrs.firmware === 'efi' || child(os, 'loader')?.attrs.type === 'pflash';
  if (!efi) return undefined;
  const dir = session ? join(sessionDir, 'nvram') : '/var/lib/libvirt/qemu/nvram';
  return join(dir, `${name}_VARS.fd`);
}

async function snapshotsOf(dom: Domain): Promise<VmSnapshotInfo[]> {
  const snaps = await dom.snapshots.list();
  return Promise.all(
    snaps.map(async (s) => {
      const x = parseXml(await s.xml(), `snapshot ${s.name}`);
      const t = Number(child(x, 'creationTime')?.text);
      const state = child(x, 'state')?.text;
      return {
        name: s.name,
        ...(Number.isFinite(t) && t > 0 ? { createdAt: new Date(t * 1000).toISOString() } : {}),
        ...(state ? { state } : {}),
      };
    }),
  );
}

/**
 * Everything about one VM that is not the model's reasons (those come from re-running the model; see the
 * CLI's `vm info`): devices, disks with allocation and backing chain, display address, NVRAM and TPM
 * state, snapshots, and the linked clones that depend on it.
 */
export async function vmInfo(lv: Libvirt, name: string): Promise<VmInfoFacts> {
  const dom = await findVm(lv, name);
  const local = remoteHostOf(lv.requestedUri) === undefined;
  const session = lv.requestedUri.includes('/session');
  const xml = await dom.xml(0);
  const root = parseXml(xml, `the domain XML of ${name}`);
  // A VM without images has no clones: the other domains are not read at all.
  const own = ownImages(dom.uuid, readChains(root));
  const [all, autostart, snapshots, others] = await Promise.all([
    listVms(lv, { only: [dom] }),
    dom.autostart(),
    snapshotsOf(dom),
    own.size ? hostImages(lv, dom.uuid) : [],
  ]);
  const summary = all.find((e) => e.uuid === dom.uuid);
  if (!summary) throw new VmNotFoundError(name, hostName(lv));
  const active = summary.state === 'running' || summary.state === 'paused' || summary.state === 'blocked';
  const spec = parseDomainXml(xml);
  const devicesNode = child(root, 'devices');
  const devices: VmInfoFacts['devices'] = [];
  for (const d of devicesNode?.children ?? []) {
    if (d.name === 'emulator') continue;
    const summary = deviceSummary(d);
    const same = devices.find((x) => x.kind === d.name && x.summary === summary);
    if (same) same.count++;
    else devices.push({ kind: d.name, summary, count: 1 });
  }

  const diskNodes = childrenNamed(devicesNode, 'disk');
  const disks: VmDiskInfo[] = await Promise.all(
    diskNodes.map(async (d) => {
      const target = child(d, 'target')?.attrs.dev ?? '?';
      const src = child(d, 'source');
      const source = src?.attrs.file ?? src?.attrs.dev ?? src?.attrs.volume;
      const use = summary.disks.find((u) => u.name === target);
      const chain = source
        ? local
          ? ((await localBackingChain(source)) ?? null)
          : active
            ? xmlBackingChain(d)
            : null
        : [];
      const format = child(d, 'driver')?.attrs.type;
      const bus = child(d, 'target')?.attrs.bus;
      return {
        target,
        device: d.attrs.device ?? 'disk',
        ...(bus ? { bus } : {}),
        ...(source ? { source } : {}),
        ...(format ? { format } : {}),
        ...(use?.allocationBytes === undefined ? {} : { allocationBytes: use.allocationBytes }),
        ...(use?.capacityBytes === undefined ? {} : { capacityBytes: use.capacityBytes }),
        backingChain: chain,
      };
    }),
  );

  const osNode = child(root, 'os');
  const sessionDir = domainConfigDir('qemu:///session') as string;
  const nvramPath = child(osNode, 'nvram')?.text ?? defaultNvram(osNode, dom.name, session, sessionDir);
  const tpmNode = child(devicesNode, 'tpm');
  return {
    name: dom.name,
    uuid: dom.uuid,
    state: summary.state,
    autostart,
    domainType: root.attrs.type ?? 'unknown',
    ...(spec.os.machine ? { machine: spec.os.machine } : {}),
    firmware: osNode?.attrs.firmware ?? (child(osNode, 'loader') ? 'custom loader' : 'bios'),
    summary,
    ...(spec.metadata.phyllome ? { phyllome: spec.metadata.phyllome } : {}),
    ...(spec.metadata.libosinfoId ? { libosinfoId: spec.metadata.libosinfoId } : {}),
    devices,
    disks,
    nics: guestNics(root),
    shares: guestShares(root),
    hostdevs: guestHostdevs(root),
    usbDevices: guestUsbHostdevs(root),
    mdevDevices: guestMdevHostdevs(root),
    displays: displaysOf(devicesNode, active, remoteHostOf(lv.requestedUri)),
    nvram: nvramPath ? stateFile(nvramPath, local) : null,
    tpm: tpmNode
      ? {
          model: tpmNode.attrs.model ?? 'tpm-tis',
          version: child(tpmNode, 'backend')?.attrs.version ?? '2.0',
          ...stateFile(tpmStatePath(tpmNode, dom.uuid, session, sessionDir), local),
        }
      : null,
    snapshots,
    dependentClones: dependentsOf(dom.uuid, own, others),
  };
}
