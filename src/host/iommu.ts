import { cmdlineValue, type KernelCmdline } from './cmdline.js';
import { known, valueOr, type Fact } from './fact.js';
import type { RootFs } from './root-fs.js';

export interface IommuGroup {
  id: string;
  /** `DMA`, `DMA-FQ`, `identity`, `blocked`, or null when not visible. */
  type: string | null;
  /** PCI addresses in the group. */
  devices: string[];
}

export interface IommuCmdline {
  intelIommu: string | null;
  amdIommu: string | null;
  iommu: string | null;
  acsOverride: string | null;
  vfioPciIds: string[];
}

export interface IommuFacts {
  /** `DMAR` (Intel VT-d) or `IVRS` (AMD-Vi) ACPI table: the firmware announces an IOMMU. */
  firmwareTable: 'DMAR' | 'IVRS' | null;
  /** False when the ACPI tables could not be listed at all (then `firmwareTable` means nothing). */
  firmwareTablesVisible: boolean;
  /** IOMMU drivers registered in sys/class/iommu (`dmar0`, `ivhd0`). */
  drivers: string[];
  groups: IommuGroup[];
  /** Groups exist: the kernel is using the IOMMU. */
  enabled: boolean;
  cmdline: IommuCmdline;
  /** Intel interrupt remapping (ECAP bit 3 of the first DMAR unit), null when not visible. */
  interruptRemapping: boolean | null;
}

const ECAP_INTERRUPT_REMAPPING = 0x8n;

function str(v: string | true | undefined): string | null {
  return v === undefined ? null : v === true ? '' : v;
}

export function iommuCmdline(cmdline: KernelCmdline | null): IommuCmdline {
  if (!cmdline) return { intelIommu: null, amdIommu: null, iommu: null, acsOverride: null, vfioPciIds: [] };
  const ids = str(cmdlineValue(cmdline, 'vfio-pci.ids'));
  return {
    intelIommu: str(cmdlineValue(cmdline, 'intel_iommu')),
    amdIommu: str(cmdlineValue(cmdline, 'amd_iommu')),
    iommu: str(cmdlineValue(cmdline, 'iommu')),
    acsOverride: str(cmdlineValue(cmdline, 'pcie_acs_override')),
    vfioPciIds: ids ? ids.split(',').filter(Boolean) : [],
  };
}

export function probeIommu(fs: RootFs, cmdline: KernelCmdline | null): Fact<IommuFacts> {
  const tables = fs.list('sys/firmware/acpi/tables');
  const names = tables.known ? tables.value : [];
  const firmwareTable = names.includes('DMAR') ? 'DMAR' : names.includes('IVRS') ? 'IVRS' : null;
  const drivers = fs.entries('sys/class/iommu');
  const groups: IommuGroup[] = fs
    .entries('sys/kernel/iommu_groups')
    .filter((g) => /^\d+$/.test(g))
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => ({
      id,
      type: valueOr(fs.attr(`sys/kernel/iommu_groups/${id}/type`), null),
      devices: fs.entries(`sys/kernel/iommu_groups/${id}/devices`),
    }));
  let interruptRemapping: boolean | null = null;
  const dmar = drivers.find((d) => d.startsWith('dmar'));
  if (dmar) {
    const ecap = fs.attr(`sys/class/iommu/${dmar}/intel-iommu/ecap`);
    if (ecap.known && /^[0-9a-fA-F]+$/.test(ecap.value))
      interruptRemapping = (BigInt(`0x${ecap.value}`) & ECAP_INTERRUPT_REMAPPING) !== 0n;
  }
  return known({
    firmwareTable,
    firmwareTablesVisible: tables.known,
    drivers,
    groups,
    enabled: groups.length > 0,
    cmdline: iommuCmdline(cmdline),
    interruptRemapping,
  });
}
