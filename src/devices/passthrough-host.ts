/**
 * The facts `decidePciAdd` needs, probed from a host root (`/`, or a fixture tree): the device map of
 * `phyllo host devices`, the CPU vendor and IOMMU facts for the how-to, and whether vfio-pci is there.
 */
import { parseCmdline } from '../host/cmdline.js';
import { parseCpuinfo } from '../host/cpu.js';
import { probeDeviceMap, type HostDevicesOptions } from '../host/devices.js';
import { probeIommu } from '../host/iommu.js';
import { RootFs } from '../host/root-fs.js';
import type { PassthroughHost, VfioState } from './pci-decision.js';

/** vfio-pci's state below a root: its registered driver, else its module in the running kernel's tree. */
export function probeVfio(fs: RootFs): VfioState {
  if (fs.exists('sys/bus/pci/drivers/vfio-pci') || fs.exists('sys/module/vfio_pci')) return 'loaded';
  const release = fs.attr('proc/sys/kernel/osrelease');
  if (!release.known) return 'unknown';
  const tree = `lib/modules/${release.value}`;
  if (!fs.exists(tree)) return 'unknown';
  if (fs.entries(`${tree}/kernel/drivers/vfio/pci`).some((f) => /^vfio-pci\.ko(\.(xz|zst|gz))?$/.test(f)))
    return 'loadable';
  const builtin = fs.text(`${tree}/modules.builtin`);
  if (builtin.known && /(^|\/)vfio-pci\.ko$/m.test(builtin.value)) return 'loadable';
  return 'missing';
}

export async function probePassthroughHost(options: HostDevicesOptions = {}): Promise<PassthroughHost> {
  const { map, pci } = await probeDeviceMap(options);
  const fs = RootFs.open(options.root ?? '/');
  const cmdlineText = fs.text('proc/cmdline');
  const iommu = probeIommu(fs, cmdlineText.known ? parseCmdline(cmdlineText.value) : null);
  const cpuText = fs.text('proc/cpuinfo');
  const cpu = cpuText.known ? parseCpuinfo(cpuText.value) : undefined;
  return {
    map,
    pci,
    cpuVendor: cpu?.known ? cpu.value.vendor : undefined,
    iommu: iommu.known ? iommu.value : null,
    vfio: probeVfio(fs),
  };
}
