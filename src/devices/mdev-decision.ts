/**
 * Whether `vm device add --gpu ADDR --mdev TYPE` can give the guest a mediated device: a slice of a
 * GPU the host driver offers (Intel GVT-g on Broadwell to Comet Lake iGPUs, NVIDIA vGPU), listed by
 * the kernel in the parent's `mdev_supported_types`. A pure decision over the host's PCI facts, and
 * the probe that reads them below a host root (`/`, or a fixture tree).
 */
import { parseCpuinfo, type CpuVendor } from '../host/cpu.js';
import { loadIdsDb } from '../host/ids-db.js';
import { probePci, type MdevType, type PciDevice } from '../host/pci.js';
import { RootFs } from '../host/root-fs.js';
import { normalPciAddress } from './hostdev-xml.js';
import type { MdevRefusal } from './usb-errors.js';

export interface MdevHost {
  /** The PCI devices; those offering mediated devices have `mdevTypes`. */
  pci: Pick<PciDevice, 'address' | 'name' | 'driver' | 'mdevTypes'>[];
  cpuVendor: CpuVendor | undefined;
}

export type MdevDecision =
  | {
      verdict: 'accepted';
      parent: string;
      parentName: string;
      type: MdevType;
    }
  | { verdict: 'refused'; refusal: MdevRefusal; reason: string; hint: string };

const typeWords = (t: MdevType): string =>
  `${t.id}${t.name ? ` (${t.name}` : ' ('}${t.name ? ', ' : ''}${t.availableInstances ?? '?'} free)`;

function lacksHint(vendor: CpuVendor | undefined): string {
  const intel =
    'Intel GVT-g (iGPUs from Broadwell to Comet Lake): add i915.enable_gvt=1 to the kernel command line and load kvmgt (echo kvmgt > /etc/modules-load.d/kvmgt.conf), then reboot';
  const nvidia = "NVIDIA vGPU: install NVIDIA's vGPU host driver (data-centre GPUs only)";
  const whole = 'or give the guest a whole GPU: phyllo vm device add NAME --pci ADDR';
  return vendor === 'intel' ? `${intel}; ${nvidia}; ${whole}.` : `${nvidia}; ${intel}; ${whole}.`;
}

export function decideMdevAdd(host: MdevHost, gpu: string, type: string): MdevDecision {
  const address = normalPciAddress(gpu);
  const parents = host.pci.filter((p) => p.mdevTypes.length > 0);
  const refuse = (refusal: MdevRefusal, reason: string, hint: string): MdevDecision => ({
    verdict: 'refused',
    refusal,
    reason,
    hint,
  });
  if (parents.length === 0)
    return refuse(
      'no-mdev-support',
      'this host offers no mediated devices: no device has mdev_supported_types (nothing in /sys/class/mdev_bus), so its GPU driver does not slice any GPU',
      `Nothing was changed. To get mediated devices: ${lacksHint(host.cpuVendor)}`,
    );
  const offered = parents.map((p) => `${p.address} (${p.name})`).join(', ');
  const dev = host.pci.find((p) => p.address === address);
  if (!dev)
    return refuse(
      'unknown-parent',
      `there is no PCI device ${address}`,
      `Devices offering mediated devices: ${offered}.`,
    );
  if (dev.mdevTypes.length === 0)
    return refuse(
      'unknown-parent',
      `${address} (${dev.name}) offers no mediated devices`,
      `Devices offering them: ${offered}; or give the guest the whole device with --pci ${address}.`,
    );
  const t = dev.mdevTypes.find((m) => m.id === type || m.name === type);
  const types = dev.mdevTypes.map(typeWords).join(', ');
  if (!t)
    return refuse(
      'unknown-type',
      `${address} (${dev.name}) has no mediated device type "${type}"`,
      `Its types: ${types}.`,
    );
  if (t.availableInstances === 0)
    return refuse(
      'no-instances',
      `${address} (${dev.name}) has no ${t.id} left to give (available_instances is 0)`,
      `Remove one from another VM (phyllo vm device remove VM UUID), or pick a smaller type: ${types}.`,
    );
  return { verdict: 'accepted', parent: address, parentName: dev.name, type: t };
}

/** The facts below a host root: every PCI device with its mediated device types, and the CPU vendor. */
export function probeMdevHost(root = '/'): MdevHost {
  const fs = RootFs.open(root);
  const pci = probePci(fs, loadIdsDb(fs, 'pci.ids'));
  const text = fs.text('proc/cpuinfo');
  const cpu = text.known ? parseCpuinfo(text.value) : undefined;
  return { pci: pci.known ? pci.value.devices : [], cpuVendor: cpu?.known ? cpu.value.vendor : undefined };
}
