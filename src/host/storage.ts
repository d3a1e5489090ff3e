import { known, type Fact } from './fact.js';
import { isPciAddress } from './pci.js';
import type { RootFs } from './root-fs.js';
import type { DiskSpace, HostSystem } from './system.js';

export interface Mount {
  majMin: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

/** Why a storage device matters to the host. */
export type StorageRole = 'root' | 'swap' | 'efi' | 'boot';

export interface StorageUse {
  role: StorageRole;
  /** `/`, `/boot/efi`, `/dev/nvme0n1p3`, `/swapfile`. */
  what: string;
  /** The block devices on the way down (`dm-0`, `nvme0n1p3`). */
  blockDevices: string[];
  /** PCI devices (controllers) holding it; empty for virtual devices (zram, loop) or when unknown. */
  pciDevices: string[];
}

export interface StorageFacts {
  uses: StorageUse[];
  /** Where VM images live and how much room is left there. */
  images: Fact<DiskSpace>;
}

/** Where libvirt keeps disk images by default (system connection). */
export const IMAGES_DIR = '/var/lib/libvirt/images';
const EFI_MOUNTS = ['/boot/efi', '/efi', '/boot'];
const MAX_DEPTH = 8;

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo; malformed lines are skipped. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const majMin = left[2];
    const mountPoint = left[4];
    if (!majMin || !mountPoint || !/^\d+:\d+$/.test(majMin) || !right[0]) continue;
    mounts.push({
      majMin,
      mountPoint: unescapeMount(mountPoint),
      fsType: right[0],
      source: unescapeMount(right[1] ?? ''),
    });
  }
  return mounts;
}

/** The mount a path lives on: the last mount with the longest matching mount point. */
export function mountOf(mounts: Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const prefix = m.mountPoint === '/' ? '/' : m.mountPoint + '/';
    if (path === m.mountPoint || path.startsWith(prefix))
      if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/** Parses /proc/swaps: the first column of each line after the header. */
export function parseSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((f) => f.startsWith('/'));
}

/**
 * Follows a block device down to PCI: `sys/class/block/<name>` resolves into the device tree
 * (`sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1/nvme0n1p2`); a
 * device-mapper or md device has no PCI parent and lists its members in `slaves/`.
 */
export function blockToPci(
  fs: RootFs,
  name: string,
  depth = 0,
): { blockDevices: string[]; pciDevices: string[] } {
  const out = { blockDevices: [name], pciDevices: [] as string[] };
  if (depth > MAX_DEPTH) return out;
  const real = fs.resolve(`sys/class/block/${name}`);
  if (!real.known) return out;
  const parts = real.value.split('/');
  const pci = parts.filter(isPciAddress).pop();
  if (pci) out.pciDevices.push(pci);
  let slaves = fs.entries(`${real.value}/slaves`);
  // A partition's slaves are on its parent disk.
  if (slaves.length === 0 && fs.exists(`${real.value}/partition`))
    slaves = fs.entries(`${parts.slice(0, -1).join('/')}/slaves`);
  for (const s of slaves) {
    const sub = blockToPci(fs, s, depth + 1);
    out.blockDevices.push(...sub.blockDevices);
    out.pciDevices.push(...sub.pciDevices);
  }
  out.pciDevices = [...new Set(out.pciDevices)];
  return out;
}

function blockNameOf(fs: RootFs, mount: Mount): string | undefined {
  if (!mount.majMin.startsWith('0:')) {
    const real = fs.resolve(`sys/dev/block/${mount.majMin}`);
    if (real.known) return real.value.split('/').pop();
  }
  // btrfs and others report an anonymous 0:N device: fall back to the mount source.
  return mount.source.startsWith('/dev/') ? mount.source.split('/').pop() : undefined;
}

function useOfMount(fs: RootFs, role: StorageRole, what: string, mount: Mount | undefined): StorageUse {
  const name = mount ? blockNameOf(fs, mount) : undefined;
  const chain = name ? blockToPci(fs, name) : { blockDevices: [], pciDevices: [] };
  return { role, what, ...chain };
}

export async function probeStorage(fs: RootFs, system: HostSystem): Promise<StorageFacts> {
  const mi = fs.text('proc/self/mountinfo');
  const mounts = mi.known ? parseMountinfo(mi.value) : [];
  const uses: StorageUse[] = [];
  if (mounts.length) {
    uses.push(useOfMount(fs, 'root', '/', mountOf(mounts, '/')));
    const efi = EFI_MOUNTS.map((p) =>
      mounts.filter((m) => m.mountPoint === p && m.fsType === 'vfat').pop(),
    ).find(Boolean);
    if (efi) uses.push(useOfMount(fs, 'efi', efi.mountPoint, efi));
  }
  const swaps = fs.text('proc/swaps');
  for (const s of swaps.known ? parseSwaps(swaps.value) : []) {
    if (s.startsWith('/dev/')) {
      const name = s.split('/').pop() ?? s;
      uses.push({ role: 'swap', what: s, ...blockToPci(fs, name) });
    } else uses.push(useOfMount(fs, 'swap', s, mountOf(mounts, s)));
  }
  const images = await system.statfs(IMAGES_DIR);
  return { uses, images: images.known ? known(images.value) : images };
}
