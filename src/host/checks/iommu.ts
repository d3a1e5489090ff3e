import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';
import { KERNEL_PARAM_HOWTO, vendorWords } from './vendor.js';

function words(h: HostFacts) {
  return vendorWords(h.cpu.known ? h.cpu.value.vendor : undefined);
}

export function iommuFirmware(h: HostFacts): Check {
  const id = 'iommu.firmware';
  const w = words(h);
  if (!h.iommu.known) return check(id, 'warn', 'IOMMU support unknown', h.iommu.reason);
  const io = h.iommu.value;
  if (io.firmwareTable)
    return check(
      id,
      'pass',
      `The firmware announces an IOMMU (${io.firmwareTable === 'DMAR' ? 'Intel VT-d' : 'AMD-Vi'})`,
      `ACPI table ${io.firmwareTable}`,
    );
  if (io.enabled)
    return check(id, 'pass', 'An IOMMU is active', 'no DMAR/IVRS table is visible, but IOMMU groups exist');
  if (!io.firmwareTablesVisible)
    return check(
      id,
      'warn',
      'IOMMU firmware support unknown',
      'sys/firmware/acpi/tables cannot be listed',
      'Run as root to read the ACPI tables.',
    );
  if (h.cpu.known && h.cpu.value.runningAsGuest)
    return check(
      id,
      'warn',
      'No IOMMU: PCI passthrough is impossible',
      'this host is a virtual machine and its hypervisor offers no virtual IOMMU (no DMAR/IVRS table)',
      'Give this VM a virtual IOMMU (e.g. `<iommu model="intel"/>` on a q35 machine) if you need passthrough here.',
    );
  return check(
    id,
    'warn',
    `The firmware does not announce ${w.iommu}: PCI passthrough is impossible`,
    'no DMAR or IVRS ACPI table',
    `Enable ${w.firmwareIommu}. Some boards do not support it at all.`,
  );
}

export function iommuKernel(h: HostFacts): Check {
  const id = 'iommu.kernel';
  const w = words(h);
  if (!h.iommu.known) return check(id, 'warn', 'IOMMU state unknown', h.iommu.reason);
  const io = h.iommu.value;
  const c = io.cmdline;
  if (io.enabled) {
    const notes = [`${io.groups.length} IOMMU groups`];
    if (io.interruptRemapping !== null)
      notes.push(`interrupt remapping ${io.interruptRemapping ? 'on' : 'off'}`);
    if (c.iommu === 'pt') notes.push('passthrough mode (iommu=pt)');
    if (c.vfioPciIds.length) notes.push(`vfio-pci.ids=${c.vfioPciIds.join(',')}`);
    if (io.interruptRemapping === false)
      return check(
        id,
        'warn',
        'The IOMMU is on, but without interrupt remapping',
        notes.join('; '),
        'Passthrough works but is less safe; enable x2APIC/interrupt remapping in the firmware if offered.',
      );
    return check(id, 'pass', 'The kernel uses the IOMMU', notes.join('; '));
  }
  const off = [
    c.intelIommu === 'off' ? 'intel_iommu=off' : null,
    c.amdIommu === 'off' ? 'amd_iommu=off' : null,
    c.iommu === 'off' ? 'iommu=off' : null,
  ].filter(Boolean);
  if (off.length)
    return check(
      id,
      'warn',
      'The IOMMU is switched off on the kernel command line',
      `/proc/cmdline has ${off.join(' ')}; no IOMMU groups`,
      `Remove ${off.join(' ')} from the kernel command line (${KERNEL_PARAM_HOWTO}).`,
    );
  if (io.firmwareTable)
    return check(
      id,
      'warn',
      'The firmware has an IOMMU but the kernel does not use it: no passthrough',
      'no IOMMU groups in sys/kernel/iommu_groups',
      `Add ${w.iommuParam} to the kernel command line: ${KERNEL_PARAM_HOWTO}.`,
    );
  return check(
    id,
    'warn',
    'No IOMMU groups: PCI passthrough is impossible',
    'sys/kernel/iommu_groups is empty',
    'See iommu.firmware.',
  );
}

export function iommuAcsOverride(h: HostFacts): Check {
  const id = 'iommu.acs-override';
  const acs = h.iommu.known ? h.iommu.value.cmdline.acsOverride : null;
  if (acs === null)
    return check(id, 'info', 'No ACS override: IOMMU groups show the isolation the hardware really gives');
  return check(
    id,
    'warn',
    'pcie_acs_override is active: device isolation is pretended, not real (security risk)',
    `/proc/cmdline has pcie_acs_override=${acs}. The kernel splits IOMMU groups the hardware does not promise to isolate, so a guest given one device may reach other host devices by peer-to-peer DMA.`,
    `Remove pcie_acs_override from the kernel command line (${KERNEL_PARAM_HOWTO}) and pass through whole groups, or move the card to a slot wired to the CPU.`,
  );
}
