import { UnknownOsError } from './errors.js';
import { OsinfoDb, type OsinfoOs } from './osinfo.js';
import type { Profile, ProfileId, Resources } from './profile.js';
import { findProfile, getProfile } from './profiles.js';

/** Which virtio devices the guest can drive without a driver disk. */
export interface VirtioSupport {
  disk: boolean;
  net: boolean;
  gpu: boolean;
  input: boolean;
  rng: boolean;
  balloon: boolean;
}

/** The resolved guest: a profile plus what osinfo-db knows about the exact OS. */
export interface GuestOs {
  requestedId: string;
  profile: Profile;
  name: string;
  osinfo?: OsinfoOs;
  libosinfoId?: string;
  /** Why this profile was chosen for the requested id. */
  profileReason: string;
  /** Inbox virtio support (Windows: none, whatever osinfo lists for its driver disk). */
  virtio: VirtioSupport;
  virtioReason: string;
  minimum: Resources;
  recommended: Resources;
  resourcesReason: string;
  /** Firmware osinfo says the OS cannot use. */
  firmwareUnsupported: ('efi' | 'bios')[];
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const VIRTIO_IDS: Record<keyof VirtioSupport, string[]> = {
  disk: ['1af4:1001', '1af4:1042'],
  net: ['1af4:1000', '1af4:1041'],
  gpu: ['1af4:1050'],
  input: ['1af4:1052'],
  rng: ['1af4:1005', '1af4:1044'],
  balloon: ['1af4:1002', '1af4:1045'],
};

/** Purpose-named predicate over osinfo's PCI device list (legacy or modern virtio id). */
export function supportsVirtio(os: OsinfoOs, device: keyof VirtioSupport): boolean {
  return VIRTIO_IDS[device].some((id) => os.pciDevices.includes(id));
}

function allVirtio(value: boolean): VirtioSupport {
  return { disk: value, net: value, gpu: value, input: value, rng: value, balloon: value };
}

const SERVER_IDS = ['win2k16', 'win2k19', 'win2k22', 'win2k25'];

/** Maps an osinfo OS to its family profile, and says why. */
export function familyProfile(os: OsinfoOs): { id: ProfileId; reason: string } {
  const s = os.shortId;
  switch (os.family) {
    case 'winnt':
      if (s === 'win11') return { id: 'windows-11', reason: 'Windows 11' };
      if (s === 'win10') return { id: 'windows-10', reason: 'Windows 10' };
      if (SERVER_IDS.includes(s)) return { id: 'windows-server-2022', reason: 'a Windows Server release' };
      return { id: 'windows-10', reason: 'an older Windows NT release: the Windows 10 profile, best effort' };
    case 'linux': {
      const modern = !os.releaseDate || os.releaseDate >= '2022-01-01';
      return modern
        ? {
            id: 'linux',
            reason: `a Linux distribution ${os.releaseDate ? `released ${os.releaseDate}` : 'without a fixed release'} (kernel 5.15 era or newer)`,
          }
        : {
            id: 'linux-5.4',
            reason: `a Linux distribution released ${os.releaseDate}, before kernel 5.15 was common`,
          };
    }
    case 'freebsd':
    case 'openbsd':
    case 'netbsd':
    case 'dragonflybsd':
      return { id: 'freebsd', reason: `a BSD (${os.family})` };
    case 'darwin':
      return { id: 'darwin', reason: 'macOS' };
    case 'msdos':
    case 'win9x':
    case 'win16':
      return {
        id: 'reactos',
        reason: `a legacy PC OS (${os.family}): the ReactOS profile's BIOS/IDE machine`,
      };
    default:
      return {
        id: 'linux-5.4',
        reason: `no family profile for ${os.family}: generic PC defaults, gated by osinfo's device list`,
      };
  }
}

function bytesToMiB(b: number | undefined): number | undefined {
  return b === undefined ? undefined : Math.round(b / MiB);
}

function bytesToGiB(b: number | undefined): number | undefined {
  return b === undefined ? undefined : Math.ceil(b / GiB);
}

function resourcesFrom(
  os: OsinfoOs,
  profile: Profile,
): { minimum: Resources; recommended: Resources; reason: string } {
  const minimum: Resources = {
    memoryMiB: bytesToMiB(os.minimum.ramBytes) ?? profile.minimum.memoryMiB,
    vcpus: os.minimum.cpus ?? profile.minimum.vcpus,
    diskGiB: bytesToGiB(os.minimum.storageBytes) ?? profile.minimum.diskGiB,
  };
  const hasRec = os.recommended.ramBytes !== undefined;
  const hasMin = os.minimum.ramBytes !== undefined;
  const recommended: Resources = hasRec
    ? {
        memoryMiB: bytesToMiB(os.recommended.ramBytes) as number,
        vcpus: os.recommended.cpus ?? Math.max(minimum.vcpus, profile.recommended.vcpus),
        diskGiB: bytesToGiB(os.recommended.storageBytes) ?? 2 * minimum.diskGiB,
      }
    : hasMin
      ? { memoryMiB: 2 * minimum.memoryMiB, vcpus: 2 * minimum.vcpus, diskGiB: 2 * minimum.diskGiB }
      : profile.recommended;
  const reason = hasRec
    ? `minimum and recommended resources from osinfo-db (${os.shortId})`
    : hasMin
      ? `osinfo-db lists only minimums for ${os.shortId}: recommended = 2 × minimum`
      : `osinfo-db lists no resources for ${os.shortId}: the ${profile.id} profile's`;
  return { minimum, recommended, reason };
}

/** Resolves a profile id (`windows-11`) or an osinfo-db short id (`win11`, `fedora37`). */
export function resolveGuestOs(id: string, db: OsinfoDb = new OsinfoDb()): GuestOs {
  const profile = findProfile(id);
  if (profile) {
    const inbox = profile.virtioDrivers === 'inbox';
    return {
      requestedId: id,
      profile,
      name: profile.name,
      ...(profile.osinfoId ? { libosinfoId: profile.osinfoId } : {}),
      profileReason: `${id} is a first-class Phyllome profile`,
      virtio: allVirtio(inbox),
      virtioReason: inbox
        ? `${profile.name} ships virtio drivers`
        : profile.virtioDrivers === 'driver-disk'
          ? `${profile.name} has no inbox virtio drivers`
          : `${profile.name} has no virtio drivers`,
      minimum: profile.minimum,
      recommended: profile.recommended,
      resourcesReason: `the ${id} profile's minimum and recommended resources`,
      firmwareUnsupported: [],
    };
  }
  const os = db.get(id);
  if (!os) {
    const similar = db.available() ? db.similar(id) : [];
    throw new UnknownOsError(id, {
      hint: db.available()
        ? `Run \`phyllo os list\` for the profiles${similar.length ? `; osinfo-db knows e.g. ${similar.join(', ')}` : ''}.`
        : 'Run `phyllo os list` for the profiles; install osinfo-db (`apt-get install osinfo-db`) for more OS ids.',
    });
  }
  const fam = familyProfile(os);
  const fp = getProfile(fam.id);
  const res = resourcesFrom(os, fp);
  const inbox = fp.virtioDrivers === 'inbox';
  const virtio: VirtioSupport = inbox
    ? {
        disk: supportsVirtio(os, 'disk'),
        net: supportsVirtio(os, 'net'),
        gpu: supportsVirtio(os, 'gpu'),
        input: supportsVirtio(os, 'input'),
        rng: supportsVirtio(os, 'rng'),
        balloon: supportsVirtio(os, 'balloon'),
      }
    : allVirtio(false);
  const unsupported: ('efi' | 'bios')[] = [];
  if (os.firmware.efi === false) unsupported.push('efi');
  if (os.firmware.bios === false) unsupported.push('bios');
  return {
    requestedId: id,
    profile: fp,
    name: os.name,
    osinfo: os,
    libosinfoId: os.id,
    profileReason: `${id} is ${fam.reason}: profile ${fp.id}`,
    virtio,
    virtioReason: inbox
      ? `osinfo-db lists these virtio PCI devices for ${id}: ${os.pciDevices.filter((d) => d.startsWith('1af4:')).join(', ') || 'none'}`
      : `${os.name} has no inbox virtio drivers`,
    minimum: res.minimum,
    recommended: res.recommended,
    resourcesReason: res.reason,
    firmwareUnsupported: unsupported,
  };
}
