/**
 * Helpers for the guest-fidelity tests: the model's host facts from the live system daemon (with
 * KVM marked as not working, so every domain is TCG), a transient isolated test network, and the
 * serial text of a domain collected from its console stream.
 */
import type { Duplex } from 'node:stream';
import type { Libvirt, Network } from '../../src/libvirt/index.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';

const KVM_TRAP_REASON = 'guests hang under KVM on the test machines; the fidelity tests use TCG';

/** The model's view of this host (the CLI's own gathering), with KVM "does not work". */
export function liveHostFacts(lv: Libvirt): Promise<ModelHostFacts> {
  return gatherModelHostFacts(lv, {
    verdict: async () => ({
      state: 'broken',
      usable: false,
      summary: 'KVM is not used by the fidelity tests',
      detail: KVM_TRAP_REASON,
      cached: false,
    }),
  });
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
