import type { Profile, ProfileId } from './profile.js';

const GiB = 1024;

const linux: Profile = {
  id: 'linux',
  name: 'Linux (kernel 5.15 or newer)',
  family: 'linux',
  osinfoShortId: 'linux2022',
  osinfoId: 'http://libosinfo.org/linux/2022',
  machine: 'q35',
  firmware: 'efi',
  secureBoot: 'none',
  tpm: 'recommended',
  virtioDrivers: 'inbox',
  disk: { virtio: 'virtio', fallback: 'sata' },
  nic: { virtio: 'virtio', fallback: 'e1000e' },
  video: { virtio: 'virtio', fallback: 'vga' },
  input: { virtio: 'virtio', fallback: 'usb' },
  clock: 'utc',
  hyperv: false,
  balloon: 'free-page-reporting',
  rng: true,
  guestAgent: true,
  suspend: true,
  sharedMemory: true,
  nested: false,
  gl: true,
  minimum: { memoryMiB: 1 * GiB, vcpus: 1, diskGiB: 10 },
  recommended: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 40 },
  notes: ['Every device is virtio: the kernel ships the drivers.'],
};

const linux54: Profile = {
  ...linux,
  id: 'linux-5.4',
  name: 'Linux (kernel 5.4 to 5.14)',
  osinfoShortId: 'linux2020',
  osinfoId: 'http://libosinfo.org/linux/2020',
  balloon: 'basic',
  notes: ['Free page reporting needs kernel 5.7; the balloon is plain.'],
};

const windowsBase: Omit<Profile, 'id' | 'name' | 'osinfoShortId' | 'osinfoId' | 'minimum' | 'recommended'> = {
  family: 'windows',
  machine: 'q35',
  firmware: 'efi',
  secureBoot: 'required',
  tpm: 'recommended',
  virtioDrivers: 'driver-disk',
  disk: { virtio: 'virtio', fallback: 'sata' },
  nic: { virtio: 'virtio', fallback: 'e1000e' },
  video: { virtio: 'virtio', fallback: 'vga' },
  input: { virtio: 'usb', fallback: 'usb' },
  clock: 'localtime',
  hyperv: true,
  balloon: 'none',
  rng: true,
  guestAgent: true,
  suspend: false,
  sharedMemory: false,
  nested: false,
  gl: false,
  notes: [
    'Windows has no inbox virtio drivers: pass --drivers virtio-win.iso when creating the VM for virtio disk, network and display; without it the VM gets SATA, e1000e and VGA, which Windows drives out of the box; once the virtio-win drivers are installed in the guest, `phyllo vm upgrade-devices NAME` switches its disk and NIC to virtio.',
  ],
};

const windows11: Profile = {
  ...windowsBase,
  id: 'windows-11',
  name: 'Windows 11',
  osinfoShortId: 'win11',
  osinfoId: 'http://microsoft.com/win/11',
  tpm: 'required',
  minimum: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 64 },
  recommended: { memoryMiB: 8 * GiB, vcpus: 4, diskGiB: 128 },
};

const windows10: Profile = {
  ...windowsBase,
  id: 'windows-10',
  name: 'Windows 10',
  osinfoShortId: 'win10',
  osinfoId: 'http://microsoft.com/win/10',
  secureBoot: 'recommended',
  minimum: { memoryMiB: 2 * GiB, vcpus: 1, diskGiB: 32 },
  recommended: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 64 },
};

const windowsServer2022: Profile = {
  ...windowsBase,
  id: 'windows-server-2022',
  name: 'Windows Server 2022',
  osinfoShortId: 'win2k22',
  osinfoId: 'http://microsoft.com/win/2k22',
  secureBoot: 'recommended',
  minimum: { memoryMiB: 2 * GiB, vcpus: 1, diskGiB: 32 },
  recommended: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 64 },
};

const reactos: Profile = {
  id: 'reactos',
  name: 'ReactOS',
  family: 'reactos',
  machine: 'pc',
  firmware: 'bios',
  secureBoot: 'none',
  tpm: 'none',
  virtioDrivers: 'none',
  disk: { virtio: 'ide', fallback: 'ide' },
  nic: { virtio: 'e1000', fallback: 'e1000' },
  video: { virtio: 'vga', fallback: 'vga' },
  input: { virtio: 'ps2', fallback: 'ps2' },
  clock: 'localtime',
  hyperv: false,
  balloon: 'none',
  rng: false,
  guestAgent: false,
  suspend: false,
  sharedMemory: false,
  nested: false,
  gl: false,
  minimum: { memoryMiB: 256, vcpus: 1, diskGiB: 2 },
  recommended: { memoryMiB: 1 * GiB, vcpus: 1, diskGiB: 10 },
  notes: [
    'ReactOS boots with BIOS on the i440fx machine and installs best on IDE; it has an e1000 driver but no virtio ones.',
  ],
};

const freebsd: Profile = {
  id: 'freebsd',
  name: 'FreeBSD',
  family: 'bsd',
  osinfoShortId: 'freebsd13.1',
  osinfoId: 'http://freebsd.org/freebsd/13.1',
  machine: 'q35',
  firmware: 'efi',
  secureBoot: 'none',
  tpm: 'none',
  virtioDrivers: 'inbox',
  disk: { virtio: 'virtio', fallback: 'sata' },
  nic: { virtio: 'virtio', fallback: 'e1000e' },
  video: { virtio: 'vga', fallback: 'vga' },
  input: { virtio: 'usb', fallback: 'usb' },
  clock: 'utc',
  hyperv: false,
  balloon: 'basic',
  rng: true,
  guestAgent: true,
  suspend: false,
  sharedMemory: false,
  nested: false,
  gl: false,
  minimum: { memoryMiB: 512, vcpus: 1, diskGiB: 8 },
  recommended: { memoryMiB: 2 * GiB, vcpus: 2, diskGiB: 32 },
  notes: [
    'FreeBSD ships virtio block, net, rng and balloon drivers but no virtio-gpu driver: the console is VGA.',
  ],
};

const darwin: Profile = {
  id: 'darwin',
  name: 'macOS (Darwin)',
  family: 'darwin',
  osinfoShortId: 'macosx10.7',
  osinfoId: 'http://apple.com/macosx/10.7',
  machine: 'q35',
  firmware: 'efi',
  secureBoot: 'none',
  tpm: 'none',
  virtioDrivers: 'none',
  disk: { virtio: 'sata', fallback: 'sata' },
  nic: { virtio: 'e1000-82545em', fallback: 'e1000-82545em' },
  video: { virtio: 'vga', fallback: 'vga' },
  input: { virtio: 'usb', fallback: 'usb' },
  clock: 'utc',
  hyperv: false,
  balloon: 'none',
  rng: false,
  guestAgent: false,
  suspend: false,
  sharedMemory: false,
  nested: false,
  gl: false,
  minimum: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 64 },
  recommended: { memoryMiB: 8 * GiB, vcpus: 4, diskGiB: 128 },
  notes: [
    'Missing piece: macOS only boots through a boot loader such as OpenCore that supplies the Apple SMC key; Phyllome ships no Apple software, so attach your own OpenCore disk before the installer.',
  ],
};

const phyllome: Profile = {
  ...linux,
  id: 'phyllome',
  name: 'Phyllome OS host (nested virtualization)',
  nested: true,
  minimum: { memoryMiB: 4 * GiB, vcpus: 2, diskGiB: 10 },
  recommended: { memoryMiB: 16 * GiB, vcpus: 4, diskGiB: 250 },
  notes: [
    'A Phyllome host as a guest: the CPU exposes virtualization extensions so it can run its own guests.',
  ],
};

/** The first-class profiles, in the order `phyllo os list` shows them. */
export const PROFILES: readonly Profile[] = [
  linux,
  linux54,
  windows11,
  windows10,
  windowsServer2022,
  reactos,
  freebsd,
  darwin,
  phyllome,
];

export function findProfile(id: string): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}

export function getProfile(id: ProfileId): Profile {
  return PROFILES.find((p) => p.id === id) as Profile;
}
