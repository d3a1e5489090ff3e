// The IOMMU map and device lists: verdict words, class names, reasons split from warnings, USB speeds.
import type { DeviceEntry, DeviceMap, GroupEntry, GroupVerdict, UsbKind } from './types';

/** Each group verdict as an icon, a word and what it means for passthrough. */
export const VERDICT: Record<GroupVerdict, { icon: string; word: string; meaning: string }> = {
  isolated: {
    icon: '✓',
    word: 'Isolated',
    meaning: 'Its device can be given to one guest on its own.',
  },
  shared: {
    icon: '⚭',
    word: 'Shared',
    meaning: 'Its devices can only be given to a guest all together.',
  },
  'host-critical': {
    icon: '⌂',
    word: 'Host-critical',
    meaning: 'Stays with the host: the host needs a device in it (or it holds only bridges).',
  },
};

/** Base classes (the first two hex digits of the class code). */
const BASE: Record<string, string> = {
  '00': 'Unclassified device',
  '01': 'Storage controller',
  '02': 'Network controller',
  '03': 'Display controller',
  '04': 'Multimedia controller',
  '05': 'Memory controller',
  '06': 'Bridge',
  '07': 'Communication controller',
  '08': 'System peripheral',
  '09': 'Input device controller',
  '0c': 'Serial bus controller',
  '0d': 'Wireless controller',
  '10': 'Encryption controller',
  '11': 'Signal processing controller',
  '12': 'Processing accelerator',
};

/** Common subclasses (the first four hex digits). */
const SUB: Record<string, string> = {
  '0100': 'SCSI controller',
  '0101': 'IDE controller',
  '0104': 'RAID controller',
  '0106': 'SATA controller',
  '0107': 'SAS controller',
  '0108': 'NVMe controller',
  '0200': 'Ethernet controller',
  '0280': 'Network controller',
  '0300': 'VGA controller',
  '0301': 'XGA controller',
  '0302': '3D controller',
  '0380': 'Display controller',
  '0401': 'Audio device',
  '0403': 'Audio device',
  '0600': 'Host bridge',
  '0601': 'ISA bridge',
  '0604': 'PCI bridge',
  '0c03': 'USB controller',
  '0c05': 'SMBus',
  '0d11': 'Bluetooth',
  '1200': 'Processing accelerator',
};

/** `030000` → "VGA controller"; an unknown one by its base class, else its code. */
export function className(code: string): string {
  const c = code.toLowerCase();
  return SUB[c.slice(0, 4)] ?? BASE[c.slice(0, 2)] ?? `Class ${c.slice(0, 4)}`;
}

/** Whether the class is a display controller (a GPU). */
export function isDisplay(code: string): boolean {
  return code.startsWith('03');
}

const WARNING = /^warning:\s*/i;

/** A group's reasons split: the warnings (reset, ACS) apart from the plain reasons. */
export function splitReasons(reasons: string[]): { reasons: string[]; warnings: string[] } {
  return {
    reasons: reasons.filter((r) => !WARNING.test(r)),
    warnings: reasons.filter((r) => WARNING.test(r)).map((r) => r.replace(WARNING, '')),
  };
}

/** The group's devices, endpoints (what a guest could get) first, bridges after, each by address. */
export function orderedDevices(group: GroupEntry): DeviceEntry[] {
  return [...group.devices].sort(
    (a, b) => Number(a.bridge) - Number(b.bridge) || a.address.localeCompare(b.address),
  );
}

/** How many groups have each verdict. */
export function verdictCounts(groups: GroupEntry[]): Record<GroupVerdict, number> {
  const n: Record<GroupVerdict, number> = { isolated: 0, shared: 0, 'host-critical': 0 };
  for (const g of groups) n[g.verdict]++;
  return n;
}

/** "6 IOMMU groups: 1 isolated, 3 shared, 2 host-critical." */
export function mapSummary(map: DeviceMap): string {
  if (!map.iommu.enabled) return 'The IOMMU is off: no PCI device can be given to a guest.';
  const n = verdictCounts(map.groups);
  const parts = (Object.keys(n) as GroupVerdict[])
    .filter((v) => n[v] > 0)
    .map((v) => `${n[v]} ${VERDICT[v].word.toLowerCase()}`);
  const groups = `${map.groups.length} IOMMU group${map.groups.length === 1 ? '' : 's'}`;
  return parts.length ? `${groups}: ${parts.join(', ')}.` : `${groups}.`;
}

/** The group a PCI address is in. */
export function groupOf(map: DeviceMap, address: string): GroupEntry | undefined {
  return map.groups.find((g) => g.devices.some((d) => d.address === address));
}

/** "0000:0b:00.0" → "0b:00.0" (the domain is nearly always 0000). */
export function shortAddress(address: string): string {
  return address.startsWith('0000:') ? address.slice(5) : address;
}

const USB_KINDS: Record<UsbKind, string> = {
  hub: 'Hub',
  keyboard: 'Keyboard',
  mouse: 'Mouse',
  hid: 'Input device',
  storage: 'Storage',
  bluetooth: 'Bluetooth',
  audio: 'Audio',
  video: 'Camera',
  other: 'Other',
};

export function usbKindLabel(kind: UsbKind): string {
  return USB_KINDS[kind] ?? kind;
}

/** 1.5 → "1.5 Mb/s (USB 1 low speed)"; 5000 → "5 Gb/s (USB 3)". */
export function usbSpeed(mbps: number | null): string {
  if (mbps === null) return '—';
  const rate = mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
  const gen =
    mbps <= 1.5
      ? 'USB 1 low speed'
      : mbps <= 12
        ? 'USB 1 full speed'
        : mbps <= 480
          ? 'USB 2'
          : mbps <= 5000
            ? 'USB 3'
            : 'USB 3.1 or later';
  return `${rate} (${gen})`;
}
