import type { Libvirt } from '../libvirt/index.js';
import type { HostProbeFacts } from '../model/assemble-host-facts.js';
import type { DomainCapabilities } from '../model/domain-capabilities.js';
import { UNKNOWN, type StoragePoolFact } from '../model/host-facts.js';

/** Active storage pools with their target directory and free space. */
export async function poolFacts(lv: Libvirt): Promise<StoragePoolFact[]> {
  const pools = await lv.pools.list();
  const facts = await Promise.all(
    pools.map(async (p) => {
      const [xml, info] = await Promise.all([p.xml(), p.info()]);
      if (info.state !== 'running') return undefined;
      const path = /<target>\s*<path>([^<]*)<\/path>/.exec(xml)?.[1];
      const fact: StoragePoolFact = { name: p.name, availableBytes: Number(info.available) };
      if (path) fact.path = path.replace(/&amp;/g, '&').replace(/\/+$/, '') || '/';
      return fact;
    }),
  );
  return facts.filter((f): f is StoragePoolFact => f !== undefined);
}

/**
 * The model's facts about a REMOTE host, all from its libvirt: cores and threads and memory from
 * node info, free memory, swtpm from the domain capabilities' TPM backends (libvirt lists
 * `emulator` only when it finds swtpm there), storage pools' free space. What libvirt cannot tell
 * (the kvm module's nested parameter, a GPU render node, QEMU's firmware descriptors, passt) is
 * UNKNOWN, and the decisions say "unknown on HOST". KVM's verdict comes separately.
 */
export async function remoteHostProbes(
  lv: Libvirt,
  host: string,
  qemuCaps: DomainCapabilities,
  session: boolean,
): Promise<Omit<HostProbeFacts, 'kvm'>> {
  const [node, free, storagePools] = await Promise.all([lv.nodeInfo(), lv.freeMemory(), poolFacts(lv)]);
  const threadsPerCore = Math.max(1, node.threads);
  return {
    cores: Math.max(1, Math.round(node.cpus / threadsPerCore)),
    threadsPerCore,
    memoryKiB: Number(node.memoryKiB),
    availableMemoryKiB: Number(free / 1024n),
    nested: UNKNOWN,
    renderNode: UNKNOWN,
    firmware: UNKNOWN,
    swtpm: qemuCaps.tpm.supported && qemuCaps.tpm.backends.includes('emulator'),
    passt: UNKNOWN,
    session,
    remoteHost: host,
    storagePools,
  };
}
