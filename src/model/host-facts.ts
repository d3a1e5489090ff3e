import type { DomainCapabilities } from './domain-capabilities.js';
import type { FirmwareDescriptor } from '../host/firmware-descriptors.js';

export type CpuVendor = 'intel' | 'amd' | 'unknown';

/**
 * A fact that could not be established for the host the VM goes to: a remote host's files (kvm
 * module parameters, GPU render nodes, firmware descriptors, installed programs) are not readable
 * through libvirt. Decisions then pick the safe choice and say "unknown on HOST".
 */
export const UNKNOWN = 'unknown' as const;
export type Unknown = typeof UNKNOWN;

/** What the host check found out about KVM: libvirt offering it is not enough, a guest must boot. */
export interface KvmFacts {
  /** `/dev/kvm` exists and libvirt offers `type='kvm'`. */
  offered: boolean;
  /** The boot test ran 64-bit guest code under KVM (`'unknown'` when no boot test ran). */
  works: boolean | 'unknown';
  /** Why, in a few words, for the decision's reason. */
  reason: string;
}

export interface StoragePoolFact {
  name: string;
  /** The pool's target directory (dir pools), if any. */
  path?: string;
  availableBytes: number;
}

/** "this host", or the remote host's name: for reasons and warnings. */
export function hostLabel(host: { remoteHost?: string }): string {
  return host.remoteHost ?? 'this host';
}

export interface MachineTypeFact {
  name: string;
  canonical?: string;
  maxCpus?: number;
}

/**
 * The narrow view of the host the model needs. Built by the caller from host probes and libvirt
 * (capabilities + domain capabilities); the model never reads the system itself.
 */
export interface ModelHostFacts {
  arch: 'x86_64';
  cpuVendor: CpuVendor;
  /** Physical cores (all sockets) and hardware threads per core. */
  cores: number;
  threadsPerCore: number;
  memoryKiB: number;
  /** Memory the host could give a guest now (MemAvailable here; libvirt's free memory on a remote host). */
  availableMemoryKiB?: number;
  kvm: KvmFacts;
  /** Nested virtualization enabled in the host's kvm module. */
  nested: boolean | Unknown;
  /** e.g. `/dev/dri/renderD128`; undefined when the host has no GPU render node. */
  renderNode?: string | Unknown;
  /** QEMU's firmware descriptors; unknown on a remote host (the domain capabilities stand in). */
  firmware: FirmwareDescriptor[] | Unknown;
  /** swtpm is installed (on a remote host: libvirt lists the emulator TPM backend). */
  swtpm: boolean;
  passt: boolean | Unknown;
  /**
   * Where the VM goes when that is not this machine: the host of the connection URI. Facts then come
   * from that host's libvirt, and reasons name it.
   */
  remoteHost?: string;
  /** Free space of the host's storage pools, where libvirt told (remote hosts). */
  storagePools?: StoragePoolFact[];
  /** The VM goes to a session (unprivileged) daemon rather than the system one. */
  session: boolean;
  /** x86_64 machine types from `virsh capabilities` (aliases such as `q35` carry their canonical name). */
  machines: MachineTypeFact[];
  /** Domain capabilities for q35 per domain type, as libvirt reports them. */
  domainCaps: { qemu?: DomainCapabilities; kvm?: DomainCapabilities };
}
