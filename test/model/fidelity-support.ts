/**
 * Helpers for the guest-fidelity tests: the model's host facts from the live system daemon (with
 * KVM marked as not working, so every domain is TCG), a transient isolated test network, and the
 * serial text of a domain collected from its console stream.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { Libvirt, Network } from '../../src/libvirt/index.js';
import { assembleHostFacts } from '../../src/model/assemble-host-facts.js';
import { parseCapabilities } from '../../src/model/capabilities.js';
import { parseDomainCapabilities } from '../../src/model/domain-capabilities.js';
import { loadFirmwareDescriptors } from '../../src/host/firmware-descriptors.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';

const KVM_TRAP_REASON = 'guests hang under KVM on the test machines; the fidelity tests use TCG';

function binaryExists(name: string): boolean {
  return ['/usr/bin', '/usr/local/bin', '/usr/sbin'].some((d) => existsSync(`${d}/${name}`));
}

async function cpuTopology(): Promise<{ cores: number; threadsPerCore: number }> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
  const field = (name: string): number | undefined => {
    const v = new RegExp(`^${name}\\s*:\\s*(\\d+)`, 'm').exec(cpuinfo)?.[1];
    return v === undefined ? undefined : Number(v);
  };
  const processors = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || 1;
  const coresPerSocket = field('cpu cores') ?? processors;
  const threadsPerCore = Math.max(1, Math.round((field('siblings') ?? coresPerSocket) / coresPerSocket));
  return { cores: Math.max(1, Math.round(processors / threadsPerCore)), threadsPerCore };
}

/** The model's view of this host: libvirt's capabilities and q35 TCG domain capabilities, KVM "does not work". */
export async function liveHostFacts(lv: Libvirt): Promise<ModelHostFacts> {
  const [caps, qemuCaps, node, topo] = await Promise.all([
    lv.capabilities(),
    lv.domainCapabilities({ virttype: 'qemu', arch: 'x86_64', machine: 'q35' }),
    lv.nodeInfo(),
    cpuTopology(),
  ]);
  return assembleHostFacts(
    {
      ...topo,
      memoryKiB: Number(node.memoryKiB),
      kvm: { offered: existsSync('/dev/kvm'), works: false, reason: KVM_TRAP_REASON },
      nested: false,
      firmware: loadFirmwareDescriptors('/'),
      swtpm: binaryExists('swtpm'),
      passt: binaryExists('passt'),
      session: false,
    },
    parseCapabilities(caps),
    { qemu: parseDomainCapabilities(qemuCaps) },
  );
}

/**
 * A transient network on its own bridge with no IP address: no DHCP, no NAT, nothing leaves the
 * machine. Enough for the guest to see a NIC on a system VM. Gone when destroyed.
 */
export async function createIsolatedNetwork(lv: Libvirt, name: string, bridge: string): Promise<Network> {
  return lv.networks.create(`<network><name>${name}</name><bridge name='${bridge}'/></network>`);
}

/** Everything a console stream delivers, as text (CR LF kept). */
export function collectText(stream: Duplex): { text: () => string } {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  stream.on('error', () => undefined);
  return { text: () => text };
}

/** The last `n` characters, for failure messages. */
export function tail(text: string, n = 1500): string {
  return text.slice(-n);
}
