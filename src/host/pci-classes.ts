/** PCI class codes (class << 8 | subclass) Phyllome reasons about, from the PCI code and ID assignment spec. */
export const PCI_CLASS = {
  sata: 0x0106,
  nvme: 0x0108,
  ethernet: 0x0200,
  wireless: 0x0280,
  vga: 0x0300,
  xga: 0x0301,
  display3d: 0x0302,
  displayOther: 0x0380,
  hdAudio: 0x0403,
  hostBridge: 0x0600,
  isaBridge: 0x0601,
  pciBridge: 0x0604,
  usb: 0x0c03,
  smbus: 0x0c05,
} as const;

/** Base classes, for a readable name when pci.ids is absent. */
const BASE_CLASS_NAMES: Record<number, string> = {
  0x00: 'Unclassified device',
  0x01: 'Mass storage controller',
  0x02: 'Network controller',
  0x03: 'Display controller',
  0x04: 'Multimedia controller',
  0x05: 'Memory controller',
  0x06: 'Bridge',
  0x07: 'Communication controller',
  0x08: 'Generic system peripheral',
  0x09: 'Input device controller',
  0x0c: 'Serial bus controller',
  0x0d: 'Wireless controller',
  0x10: 'Encryption controller',
  0x11: 'Signal processing controller',
  0x12: 'Processing accelerator',
};

const SUBCLASS_NAMES: Record<number, string> = {
  [PCI_CLASS.sata]: 'SATA controller',
  [PCI_CLASS.nvme]: 'Non-Volatile memory controller',
  [PCI_CLASS.ethernet]: 'Ethernet controller',
  [PCI_CLASS.wireless]: 'Network controller',
  [PCI_CLASS.vga]: 'VGA compatible controller',
  [PCI_CLASS.display3d]: '3D controller',
  [PCI_CLASS.hdAudio]: 'Audio device',
  [PCI_CLASS.hostBridge]: 'Host bridge',
  [PCI_CLASS.isaBridge]: 'ISA bridge',
  [PCI_CLASS.pciBridge]: 'PCI bridge',
  [PCI_CLASS.usb]: 'USB controller',
  [PCI_CLASS.smbus]: 'SMBus',
};

/** A readable class name without pci.ids. */
export function fallbackClassName(classCode: number): string {
  const sub = classCode >> 8;
  return (
    SUBCLASS_NAMES[sub] ?? BASE_CLASS_NAMES[classCode >> 16] ?? `Class ${sub.toString(16).padStart(4, '0')}`
  );
}

/** Vendors common enough to name without pci.ids. */
export const FALLBACK_VENDORS: Record<string, string> = {
  '8086': 'Intel',
  '1022': 'AMD',
  '1002': 'AMD/ATI',
  '10de': 'NVIDIA',
  '1af4': 'Red Hat (virtio)',
  '1b36': 'Red Hat (QEMU)',
  '144d': 'Samsung',
  '10ec': 'Realtek',
  '14e4': 'Broadcom',
  '1d6b': 'Linux Foundation',
};

export function isDisplayClass(classCode: number): boolean {
  return classCode >> 16 === 0x03;
}

export function isNetworkClass(classCode: number): boolean {
  return classCode >> 16 === 0x02;
}

export function isBridgeClass(classCode: number): boolean {
  const sub = classCode >> 8;
  return sub === PCI_CLASS.hostBridge || sub === PCI_CLASS.pciBridge;
}
