/**
 * Helpers for the guest-fidelity tests: a transient isolated test network, and the serial text of a
 * domain collected from its console stream.
 */
import type { Duplex } from 'node:stream';
import type { Libvirt, Network } from '../../src/libvirt/index.js';

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
