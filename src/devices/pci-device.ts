/**
 * `vm device add NAME --pci ADDR [--with-group]`, `vm device list`, `vm device remove`: PCI
 * passthrough as `decidePciAdd` allows it. The host's facts are this machine's (sysfs below `root`):
 * a remote host's IOMMU groups are not readable through libvirt, so passthrough to a VM on a remote
 * daemon is refused rather than guessed.
 */
import type { Libvirt } from '../libvirt/index.js';
import { findVm } from '../machines/find-vm.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { childrenNamed, type XmlNode } from '../xml/node.js';
import { changeDevice, otherVmXml, vmXml, type DeviceChange, removalPlan } from './change-device.js';
import { withDeviceAdded } from './domain-edit.js';
import {
  DeviceNotFoundError,
  PciInUseError,
  PciNeedsGroupError,
  PciRefusedError,
  PciRemoteHostError,
} from './errors.js';
import {
  devicesOf,
  guestHostdevs,
  guestMdevHostdevs,
  hostdevAddress,
  type GuestHostdev,
  type GuestMdevHostdev,
} from '../machines/guest-devices.js';
import { usbEntries, type UsbDeviceEntry } from './usb-device.js';
import { hostdevElement, normalPciAddress } from './hostdev-xml.js';
import { probePassthroughHost } from './passthrough-host.js';
import { decidePciAdd, type PassthroughHost } from './pci-decision.js';

export interface PciAddRequest {
  address: string;
  withGroup?: boolean;
  /** The host root to read the facts below (tests: a fixture tree); default `/`. */
  root?: string;
}

export interface PciAddOutcome extends DeviceChange {
  group: string;
  added: { address: string; name: string }[];
  bridgesKept: string[];
  warnings: string[];
}

async function hostFacts(lv: Libvirt, root: string | undefined): Promise<PassthroughHost> {
  const remote = remoteHostOf(lv.requestedUri);
  if (remote !== undefined) throw new PciRemoteHostError(remote);
  return probePassthroughHost(root === undefined ? {} : { root });
}

/** Which other VM has one of `addresses`, in its definition or, running, in its live XML. */
async function holder(
  lv: Libvirt,
  addresses: string[],
  except: string,
): Promise<[string, string] | undefined> {
  for await (const { name, domain } of otherVmXml(lv, except)) {
    const held = guestHostdevs(domain).find((h) => addresses.includes(h.address));
    if (held) return [held.address, name];
  }
  return undefined;
}

export async function addPciDevice(lv: Libvirt, name: string, req: PciAddRequest): Promise<PciAddOutcome> {
  const dom = await findVm(lv, name);
  const host = await hostFacts(lv, req.root);
  const d = decidePciAdd(host, req.address, { withGroup: req.withGroup === true });
  if (d.verdict === 'refused') throw new PciRefusedError(d.address, d.refusal, d.reasons, d.hint);
  if (d.verdict === 'needs-with-group') throw new PciNeedsGroupError(d.address, d.group, d.others);
  const addresses = d.hostdevs.map((h) => h.address);
  const taken = await holder(lv, addresses, dom.uuid);
  if (taken) throw new PciInUseError(taken[0], taken[1]);
  const elements = addresses.map(hostdevElement);
  const change = await changeDevice(lv, name, 'device add', 'attach', (config) => {
    const mine = guestHostdevs(config).find((h) => addresses.includes(h.address));
    if (mine) throw new PciInUseError(mine.address, name);
    return {
      devices: elements,
      defined: elements.reduce((x, e) => withDeviceAdded(x, e), config),
      notLive: null,
    };
  });
  return {
    ...change,
    group: d.group,
    added: d.hostdevs.map((h) => ({ address: h.address, name: h.name })),
    bridgesKept: d.bridgesKept,
    warnings: d.warnings,
  };
}

export interface HostDeviceEntry extends GuestHostdev {
  /** What it is on this host (`lspci`'s name), when this machine is the VM's host and has it. */
  hostName?: string;
  hostDriver?: string | null;
  live?: boolean;
}

export interface DeviceListOutcome {
  vm: string;
  running: boolean;
  /** PCI functions (the first part of issue 12; the name stays for the JSON's readers). */
  devices: HostDeviceEntry[];
  usb: UsbDeviceEntry[];
  mdev: (GuestMdevHostdev & { live?: boolean })[];
}

export async function listHostDevices(lv: Libvirt, name: string, root?: string): Promise<DeviceListOutcome> {
  const { vm, config, live } = await vmXml(lv, name);
  const local = remoteHostOf(lv.requestedUri) === undefined;
  const pci = local ? (await probePassthroughHost(root === undefined ? {} : { root })).pci : [];
  const liveAddresses = new Set(live ? guestHostdevs(live).map((h) => h.address) : []);
  const liveMdevs = new Set(live ? guestMdevHostdevs(live).map((m) => m.uuid) : []);
  return {
    vm,
    running: live !== null,
    usb: await usbEntries(lv, config, live),
    mdev: guestMdevHostdevs(config).map((m) => (live ? { ...m, live: liveMdevs.has(m.uuid) } : m)),
    devices: guestHostdevs(config).map((h) => {
      const on = pci.find((p) => p.address === h.address);
      return {
        ...h,
        ...(on ? { hostName: on.name, hostDriver: on.driver } : {}),
        ...(live ? { live: liveAddresses.has(h.address) } : {}),
      };
    }),
  };
}

function hostdevNode(vm: string, domain: XmlNode, address: string): XmlNode {
  const nodes = childrenNamed(devicesOf(domain), 'hostdev').filter((h) => h.attrs.type === 'pci');
  const node = nodes.find((h) => hostdevAddress(h) === address);
  if (!node)
    throw new DeviceNotFoundError(
      vm,
      address,
      guestHostdevs(domain).map((h) => h.address),
    );
  return node;
}

export interface DeviceRemoveOutcome extends DeviceChange {
  removed: string;
}

export async function removeHostDevice(
  lv: Libvirt,
  name: string,
  device: string,
): Promise<DeviceRemoveOutcome> {
  const address = normalPciAddress(device);
  const change = await changeDevice(lv, name, 'device remove', 'detach', (config, live) => {
    const node = hostdevNode(name, config, address);
    return removalPlan(config, live, node, {
      inLive: (l) => guestHostdevs(l).some((h) => h.address === address),
      notInGuest: 'the running guest does not have it (it was added for its next start)',
    });
  });
  return { ...change, removed: address };
}
