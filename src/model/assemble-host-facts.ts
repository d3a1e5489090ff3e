import { x86Guest, type HostCapabilities } from './capabilities.js';
import type { DomainCapabilities } from './domain-capabilities.js';
import type { CpuVendor, MachineTypeFact, ModelHostFacts } from './host-facts.js';

/** Host probe results: the model's host facts less what libvirt's capabilities tell. */
export type HostProbeFacts = Omit<ModelHostFacts, 'arch' | 'cpuVendor' | 'machines' | 'domainCaps'>;

export function vendorOf(name: string | undefined): CpuVendor {
  const v = (name ?? '').toLowerCase();
  if (v.includes('intel')) return 'intel';
  if (v.includes('amd') || v.includes('hygon')) return 'amd';
  return 'unknown';
}

/** x86_64 machine types from the capabilities, aliases carrying their canonical name. */
export function machinesOf(caps: HostCapabilities): MachineTypeFact[] {
  const guest = x86Guest(caps);
  return (guest?.machines ?? []).map((m) => ({
    name: m.name,
    ...(m.canonical ? { canonical: m.canonical } : {}),
    ...(m.maxCpus ? { maxCpus: m.maxCpus } : {}),
  }));
}

/** The glue: probes + parsed libvirt capabilities → the model's host facts. */
export function assembleHostFacts(
  probes: HostProbeFacts,
  capabilities: HostCapabilities,
  domainCaps: { qemu?: DomainCapabilities; kvm?: DomainCapabilities },
): ModelHostFacts {
  const facts: ModelHostFacts = {
    arch: 'x86_64',
    cpuVendor: vendorOf(capabilities.cpuVendor),
    cores: probes.cores,
    threadsPerCore: probes.threadsPerCore,
    memoryKiB: probes.memoryKiB,
    kvm: probes.kvm,
    nested: probes.nested,
    firmware: probes.firmware,
    swtpm: probes.swtpm,
    passt: probes.passt,
    session: probes.session,
    machines: machinesOf(capabilities),
    domainCaps,
  };
  if (probes.renderNode) facts.renderNode = probes.renderNode;
  if (probes.availableMemoryKiB !== undefined) facts.availableMemoryKiB = probes.availableMemoryKiB;
  if (probes.remoteHost !== undefined) facts.remoteHost = probes.remoteHost;
  if (probes.storagePools) facts.storagePools = probes.storagePools;
  return facts;
}
