/** libvirt enum and flag values used by the high-level API (names as in libvirt's headers). */

/** virDomainState, indexed by number. */
export const DOMAIN_STATES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number] | 'unknown';

export function domainStateName(n: number): DomainState {
  return DOMAIN_STATES[n] ?? 'unknown';
}

/** virDomainCreateFlags */
export const CreateFlags = {
  NONE: 0,
  PAUSED: 1,
  AUTODESTROY: 2,
  BYPASS_CACHE: 4,
  FORCE_BOOT: 8,
  VALIDATE: 16,
} as const;

/** virConnectListAllDomainsFlags */
export const ListDomainsFlags = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  RUNNING: 16,
  PAUSED: 32,
  SHUTOFF: 64,
  OTHER: 128,
} as const;

/** virConnectListAllNetworksFlags */
export const ListNetworksFlags = {
  INACTIVE: 1,
  ACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  AUTOSTART: 16,
  NO_AUTOSTART: 32,
} as const;

/** virDomainXMLFlags */
export const DomainXmlFlags = { SECURE: 1, INACTIVE: 2, UPDATE_CPU: 4, MIGRATABLE: 8 } as const;

/** virDomainUndefineFlagsValues */
export const UndefineFlags = {
  MANAGED_SAVE: 1,
  SNAPSHOTS_METADATA: 2,
  NVRAM: 4,
  KEEP_NVRAM: 8,
  CHECKPOINTS_METADATA: 16,
  TPM: 32,
  KEEP_TPM: 64,
} as const;

/** virDomainModificationImpact / virDomainDeviceModifyFlags */
export const ModifyFlags = { CURRENT: 0, LIVE: 1, CONFIG: 2 } as const;

/** virDomainMetadataType */
export const MetadataType = { DESCRIPTION: 0, TITLE: 1, ELEMENT: 2 } as const;

/** virDomainStatsTypes */
export const StatsTypes = {
  STATE: 1,
  CPU_TOTAL: 2,
  BALLOON: 4,
  VCPU: 8,
  INTERFACE: 16,
  BLOCK: 32,
  PERF: 64,
  IOTHREAD: 128,
  MEMORY: 256,
  DIRTYRATE: 512,
} as const;

/** virDomainConsoleFlags */
export const ConsoleFlags = { FORCE: 1, SAFE: 2 } as const;

/** virDomainMigrateFlags (the ones peer-to-peer migration uses) */
export const MigrateFlags = {
  LIVE: 1,
  PEER2PEER: 2,
  TUNNELLED: 4,
  PERSIST_DEST: 8,
  UNDEFINE_SOURCE: 16,
  PAUSED: 32,
  NON_SHARED_DISK: 64,
} as const;

/** virStoragePoolState */
export const POOL_STATES = ['inactive', 'building', 'running', 'degraded', 'inaccessible'] as const;
export type PoolState = (typeof POOL_STATES)[number] | 'unknown';

/** virStorageVolType */
export const VOLUME_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number] | 'unknown';

/** virStoragePoolBuildFlags / DeleteFlags / virStorageVolDeleteFlags */
export const PoolBuildFlags = { NEW: 0, REPAIR: 1, RESIZE: 2, NO_OVERWRITE: 4, OVERWRITE: 8 } as const;
/** virStoragePoolCreateFlags (virStoragePoolCreateXML / virStoragePoolCreate). */
export const PoolCreateFlags = {
  NORMAL: 0,
  WITH_BUILD: 1,
  WITH_BUILD_OVERWRITE: 2,
  WITH_BUILD_NO_OVERWRITE: 4,
} as const;
export const VolDeleteFlags = { NORMAL: 0, ZEROED: 1, WITH_SNAPSHOTS: 2 } as const;

/** virStorageVolDownloadFlags: the stream carries holes (STREAM_HOLE packets) instead of zeros. */
export const VolDownloadFlags = { SPARSE_STREAM: 1 } as const;
/** virStorageVolUploadFlags: holes in the stream become holes in the volume. */
export const VolUploadFlags = { SPARSE_STREAM: 1 } as const;

/** virDomainDefineFlags */
export const DefineFlags = { VALIDATE: 1 } as const;

/** virDomainMemoryModFlags (LIVE/CONFIG as ModifyFlags) */
export const MemoryFlags = { LIVE: 1, CONFIG: 2, MAXIMUM: 4 } as const;

/** virDomainVcpuFlags (LIVE/CONFIG as ModifyFlags) */
export const VcpuFlags = { LIVE: 1, CONFIG: 2, MAXIMUM: 4, GUEST: 8, HOTPLUGGABLE: 16 } as const;

/** virConnectListAllNodeDeviceFlags: the capabilities `nodeDevices.list()` can be limited to. */
export const NodeDeviceListFlags = {
  CAP_SYSTEM: 1 << 0,
  CAP_PCI_DEV: 1 << 1,
  CAP_USB_DEV: 1 << 2,
  CAP_MDEV_TYPES: 1 << 13,
  CAP_MDEV: 1 << 14,
} as const;
