export type ProfileId =
  | 'linux'
  | 'linux-5.4'
  | 'windows-11'
  | 'windows-10'
  | 'windows-server-2022'
  | 'reactos'
  | 'freebsd'
  | 'darwin'
  | 'phyllome';

export type OsFamily = 'linux' | 'windows' | 'reactos' | 'bsd' | 'darwin';
export type Need = 'required' | 'recommended' | 'none';
export type DiskBus = 'virtio' | 'sata' | 'ide';
export type NicModel = 'virtio' | 'e1000e' | 'e1000' | 'e1000-82545em';
export type VideoModel = 'virtio' | 'vga' | 'bochs';
export type InputKind = 'virtio' | 'usb' | 'ps2';

export interface Resources {
  memoryMiB: number;
  vcpus: number;
  diskGiB: number;
}

/** A first-class guest profile: tuned defaults for one kind of OS. */
export interface Profile {
  id: ProfileId;
  name: string;
  family: OsFamily;
  /** The osinfo-db short id written to the libosinfo metadata when the user picked the profile itself. */
  osinfoShortId?: string;
  /** libosinfo URL of that id, so no database is needed for first-class profiles. */
  osinfoId?: string;
  machine: 'q35' | 'pc';
  firmware: 'efi' | 'bios';
  secureBoot: Need;
  tpm: Need;
  /** Virtio drivers ship with the OS (inbox) or must be installed from a driver disk. */
  virtioDrivers: 'inbox' | 'driver-disk' | 'none';
  /** Devices used when virtio drivers are available, and the fallback otherwise. */
  disk: { virtio: DiskBus; fallback: DiskBus };
  nic: { virtio: NicModel; fallback: NicModel };
  video: { virtio: VideoModel; fallback: VideoModel };
  input: { virtio: InputKind; fallback: InputKind };
  clock: 'utc' | 'localtime';
  hyperv: boolean;
  balloon: 'free-page-reporting' | 'basic' | 'none';
  rng: boolean;
  guestAgent: boolean;
  suspend: boolean;
  /** virtiofs needs shared guest memory; set it up front so shares can be added later. */
  sharedMemory: boolean;
  nested: boolean;
  /** Accelerated 3D (virgl) when the host has a render node. */
  gl: boolean;
  minimum: Resources;
  recommended: Resources;
  notes: string[];
}
