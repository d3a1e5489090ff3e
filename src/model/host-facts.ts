import type { DomainCapabilities } from './domain-capabilities.js';
import type { FirmwareDescriptor } from '../host/firmware-descriptors.js';

export type CpuVendor = 'intel' | 'amd' | 'unknown';

/** What the host check found out about KVM: libvirt offering it is not enough, a guest must boot. */
export interface KvmFacts {
  /** `/dev/kvm` exists and libvirt offers `type='kvm'`. */
  offered: boolean;
  /** The boot test ran 64-bit guest code under KVM (`'unknown'` when no boot test ran). */
  works: boolean | 'unknown';
  /** Why, in a few words, for the decision's reason. */
  reason: string;
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
  kvm: KvmFacts;
  /** Nested virtualization enabled in the host's kvm module. */
  nested: boolean;
  /** e.g. `/dev/dri/renderD128`; undefined when the host has no GPU render node. */
  renderNode?: string;
  firmware: FirmwareDescriptor[];
  swtpm: boolean;
  passt: boolean;
  /** The VM goes to a session (unprivileged) daemon rather than the system one. */
  session: boolean;
  /** x86_64 machine types from `virsh capabilities` (aliases such as `q35` carry their canonical name). */
  machines: MachineTypeFact[];
  /** Domain capabilities for q35 per domain type, as libvirt reports them. */
  domainCaps: { qemu?: DomainCapabilities; kvm?: DomainCapabilities };
}
