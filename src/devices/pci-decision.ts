/**
 * Whether `vm device add NAME --pci ADDR` may give a guest a PCI device, decided from the host facts
 * `phyllo host devices` gathers (IOMMU groups and their verdicts) plus the few it does not show (the
 * CPU vendor and kernel command line for the how-to, whether vfio-pci is there). Pure: the same facts
 * always give the same decision, so every host fixture can be checked without the hardware.
 */
import { KERNEL_PARAM_HOWTO, vendorWords } from '../host/checks/vendor.js';
import type { CpuVendor } from '../host/cpu.js';
import type { DeviceEntry, DeviceMap, GroupEntry } from '../host/devices.js';
import type { IommuFacts } from '../host/iommu.js';
import { serializeXml } from '../xml/serialize.js';
import type { PciRefusal } from './errors.js';
import { hostdevElement, normalPciAddress } from './hostdev-xml.js';

/**
 * vfio-pci on the host: `loaded` (its driver is registered), `loadable` (the module is installed or
 * built in), `missing` (the kernel's module tree is visible and has none), `unknown` (not visible).
 */
export type VfioState = 'loaded' | 'loadable' | 'missing' | 'unknown';

export interface PassthroughHost {
  /** What `phyllo host devices --json` prints. */
  map: DeviceMap;
  /** Every PCI device: the map's groups are empty when the IOMMU is off. */
  pci: DeviceEntry[];
  cpuVendor: CpuVendor | undefined;
  /** Null when it could not be read at all. */
  iommu: IommuFacts | null;
  vfio: VfioState;
}

export interface HostdevPlan {
  address: string;
  name: string;
  /** The `<hostdev>` to give the guest, serialized. */
  xml: string;
}

export type PciDecision =
  | {
      verdict: 'accepted';
      address: string;
      group: string;
      /** One per endpoint given (the whole group's with `withGroup`). */
      hostdevs: HostdevPlan[];
      /** The group's bridges: they stay with the host. */
      bridgesKept: string[];
      /** Printed before anything else, never folded away (ACS override, missing resets). */
      warnings: string[];
    }
  | { verdict: 'refused'; address: string; refusal: PciRefusal; reasons: string[]; hint: string }
  | { verdict: 'needs-with-group'; address: string; group: string; others: string[]; warnings: string[] };

const label = (d: DeviceEntry): string => `${d.address} (${d.name})`;

function iommuHowTo(host: PassthroughHost): string {
  const w = vendorWords(host.cpuVendor);
  const c = host.iommu?.cmdline;
  const off = [
    c?.intelIommu === 'off' && 'intel_iommu=off',
    c?.amdIommu === 'off' && 'amd_iommu=off',
    c?.iommu === 'off' && 'iommu=off',
  ].filter((x): x is string => typeof x === 'string');
  if (off.length)
    return `Remove ${off.join(' ')} from the kernel command line (GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub), run \`sudo update-grub\` and reboot.`;
  if (host.iommu && host.iommu.firmwareTablesVisible && !host.iommu.firmwareTable)
    return `Enable ${w.firmwareIommu}, then add ${w.iommuParam} to the kernel command line (${KERNEL_PARAM_HOWTO}).`;
  return `Add ${w.iommuParam} to the kernel command line (${KERNEL_PARAM_HOWTO}); if the firmware does not announce an IOMMU, enable ${w.firmwareIommu} first.`;
}

function refused(address: string, refusal: PciRefusal, reasons: string[], hint: string): PciDecision {
  return { verdict: 'refused', address, refusal, reasons, hint };
}

/** The warnings about giving these endpoints to a guest. */
function warningsFor(host: PassthroughHost, given: DeviceEntry[]): string[] {
  const out: string[] = [];
  if (host.map.iommu.acsOverride)
    out.push(
      'ACS OVERRIDE IS ACTIVE (pcie_acs_override): this IOMMU group is split by the kernel, not isolated by the hardware; the guest may reach other host devices by DMA. Pass through whole real groups instead, or remove pcie_acs_override.',
    );
  for (const d of given) {
    if (d.resetMethods.length === 0)
      out.push(
        `${label(d)} has no reset method: the VM may hang at shutdown, or fail to start again until the host reboots.`,
      );
    else if (d.resetMethods.every((m) => m === 'bus'))
      out.push(
        `${label(d)} has only a bus reset: every device on its bus is reset with it when the VM starts and stops.`,
      );
  }
  if (host.vfio === 'unknown')
    out.push(
      'Whether vfio-pci is installed could not be seen (no kernel module tree): the VM will not start without it.',
    );
  return out;
}

/**
 * The decision for one `--pci ADDR`: `accepted` with the `<hostdev>` of every endpoint given,
 * `refused` with the reasons and how to change them, or `needs-with-group` when other endpoints share
 * the device's IOMMU group and `withGroup` was not given.
 */
export function decidePciAdd(
  host: PassthroughHost,
  addressText: string,
  opts: { withGroup: boolean },
): PciDecision {
  const address = normalPciAddress(addressText);
  const device = host.pci.find((d) => d.address === address);
  if (!device)
    return refused(
      address,
      'unknown-address',
      ['there is no PCI device at this address on the host'],
      host.pci.length
        ? '`phyllo host devices` lists the host’s PCI devices and their IOMMU groups.'
        : 'No PCI devices are visible on this host at all.',
    );
  if (!host.map.iommu.enabled)
    return refused(
      address,
      'iommu-off',
      [
        'the IOMMU is off (there are no IOMMU groups), and without it no device can be given to a guest safely',
      ],
      iommuHowTo(host),
    );
  if (host.vfio === 'missing')
    return refused(
      address,
      'vfio-missing',
      ['the vfio-pci driver is not installed in this kernel'],
      'Install a kernel that has it (Debian’s linux-image-amd64 does: vfio-pci.ko), or load it with `sudo modprobe vfio-pci`.',
    );
  const group = host.map.groups.find((g) => g.devices.some((d) => d.address === address));
  if (!group)
    return refused(
      address,
      'iommu-off',
      ['it is in no IOMMU group, so the IOMMU does not isolate it'],
      '`phyllo host check` (iommu.kernel) says what the IOMMU covers.',
    );
  if (device.bridge)
    return refused(
      address,
      'bridge',
      [`${label(device)} is a PCI bridge: bridges stay with the host`],
      hostPick(group),
    );
  if (group.verdict === 'host-critical')
    return refused(
      address,
      'host-critical',
      [
        `its IOMMU group ${group.id} must stay with the host`,
        ...group.reasons.filter((r) => !r.startsWith('warning:')),
      ],
      hostPick(group),
    );
  const endpoints = group.devices.filter((d) => !d.bridge);
  const others = endpoints.filter((d) => d.address !== address);
  if (others.length && !opts.withGroup)
    return {
      verdict: 'needs-with-group',
      address,
      group: group.id,
      others: others.map(label),
      warnings: warningsFor(host, endpoints),
    };
  const given = others.length ? endpoints : [device];
  return {
    verdict: 'accepted',
    address,
    group: group.id,
    hostdevs: given.map((d) => ({
      address: d.address,
      name: d.name,
      xml: serializeXml(hostdevElement(d.address)),
    })),
    bridgesKept: group.devices.filter((d) => d.bridge).map((d) => d.address),
    warnings: warningsFor(host, given),
  };
}

function hostPick(group: GroupEntry): string {
  return `Nothing in IOMMU group ${group.id} can be given to a guest. \`phyllo host devices\` shows which groups can.`;
}
