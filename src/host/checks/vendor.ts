import type { CpuVendor } from '../cpu.js';

/** Vendor-specific words for fixes: what the firmware calls things, which kernel parameter, which module. */
export interface VendorWords {
  virt: string;
  iommu: string;
  firmwareVirt: string;
  firmwareIommu: string;
  module: 'kvm_intel' | 'kvm_amd';
  iommuParam: string;
}

export function vendorWords(vendor: CpuVendor | undefined): VendorWords {
  if (vendor === 'amd')
    return {
      virt: 'AMD-V',
      iommu: 'AMD-Vi',
      firmwareVirt: 'SVM Mode (firmware setup: Advanced → CPU Configuration → SVM Mode → Enabled)',
      firmwareIommu: 'IOMMU (firmware setup: Advanced → AMD CBS → NBIO Common Options → IOMMU → Enabled)',
      module: 'kvm_amd',
      // amd_iommu=on is not a valid value: the AMD IOMMU is on by default when the firmware enables it.
      iommuParam: 'iommu=pt',
    };
  return {
    virt: 'Intel VT-x',
    iommu: 'Intel VT-d',
    firmwareVirt:
      'Intel Virtualization Technology (firmware setup: Advanced → CPU Configuration → Intel Virtualization Technology → Enabled)',
    firmwareIommu: 'VT-d (firmware setup: Advanced → System Agent (SA) Configuration → VT-d → Enabled)',
    module: 'kvm_intel',
    iommuParam: 'intel_iommu=on iommu=pt',
  };
}

export const KERNEL_PARAM_HOWTO =
  'add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run `sudo update-grub` and reboot';
