import type { CpuVendor } from '../cpu.js';

/**
 * Vendor-specific words for fixes: what the firmware calls things, which kernel parameter, which
 * module. An unknown vendor gets words naming both, never one vendor's advice.
 */
export interface VendorWords {
  virt: string;
  iommu: string;
  firmwareVirt: string;
  firmwareIommu: string;
  /** The KVM module, as text: `kvm_intel`, `kvm_amd`, or both for an unknown vendor. */
  module: string;
  /** The command that loads it, in backticks. */
  modprobe: string;
  /** The modprobe.d line that turns nested virtualization on. */
  nestedOption: string;
  /** The kernel parameters, in backticks. */
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
      modprobe: '`sudo modprobe kvm_amd`',
      nestedOption: 'options kvm_amd nested=1',
      // amd_iommu=on is not a valid value: the AMD IOMMU is on by default when the firmware enables it.
      iommuParam: '`iommu=pt`',
    };
  if (vendor === 'intel')
    return {
      virt: 'Intel VT-x',
      iommu: 'Intel VT-d',
      firmwareVirt:
        'Intel Virtualization Technology (firmware setup: Advanced → CPU Configuration → Intel Virtualization Technology → Enabled)',
      firmwareIommu: 'VT-d (firmware setup: Advanced → System Agent (SA) Configuration → VT-d → Enabled)',
      module: 'kvm_intel',
      modprobe: '`sudo modprobe kvm_intel`',
      nestedOption: 'options kvm_intel nested=1',
      iommuParam: '`intel_iommu=on iommu=pt`',
    };
  return {
    virt: 'hardware virtualization (VT-x/vmx or AMD-V/svm)',
    iommu: 'an IOMMU (VT-d or AMD-Vi)',
    firmwareVirt: "the CPU's virtualization option (called VT-x, VMX, SVM or Virtualization Technology)",
    firmwareIommu: 'the IOMMU option (called VT-d, AMD-Vi or IOMMU)',
    module: 'kvm_intel (vmx) or kvm_amd (svm)',
    modprobe: '`sudo modprobe kvm_intel` (a CPU with vmx) or `sudo modprobe kvm_amd` (svm)',
    nestedOption: 'options kvm_intel nested=1, or options kvm_amd nested=1',
    iommuParam: '`intel_iommu=on iommu=pt` (a VT-d IOMMU) or `iommu=pt` (AMD-Vi)',
  };
}

export const KERNEL_PARAM_HOWTO =
  'add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run `sudo update-grub` and reboot';
