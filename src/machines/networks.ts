import { isNotFound, ListNetworksFlags, type Libvirt, type Network } from '../libvirt/index.js';
import { NetworkMissingError } from './errors.js';
import { startUnlessStarted } from './start-unless-started.js';
import type { UndoList } from '../jobs/undo-list.js';

/** libvirt's stock NAT network, as Debian ships it in /usr/share/libvirt/networks/default.xml. */
export const DEFAULT_NETWORK_XML = `<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
  </ip>
</network>`;

/**
 * Makes sure the network `name` exists and runs. When it is missing and `definition` is given, it is
 * defined from it and set to start with the host; otherwise a missing network is an error.
 * `activeNetworks` is the answer to "which networks run" when the caller already asked (in parallel
 * with its own questions). Returns what had to be done, so callers can say so; each change is also
 * recorded in `undo` (when given) the moment it is made, so a later failure can take it back.
 */
export async function ensureNetwork(
  lv: Libvirt,
  name: string,
  definition?: string,
  activeNetworks: Promise<Network[]> = lv.networks.list(ListNetworksFlags.ACTIVE),
  undo?: UndoList,
): Promise<{ network: Network; defined: boolean; started: boolean }> {
  // The usual case, a network that runs, takes one round trip.
  const running = (await activeNetworks).find((n) => n.name === name);
  if (running) return { network: running, defined: false, started: false };
  let network: Network;
  let defined = false;
  try {
    network = await lv.networks.lookup(name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (definition === undefined) throw new NetworkMissingError(name);
    try {
      network = await lv.networks.define(definition);
      defined = true;
    } catch (defineErr) {
      // Another client defined it since the lookup (two creates at once on a new host): theirs is used.
      const theirs = await lv.networks.lookup(name).catch(() => undefined);
      if (!theirs) throw defineErr;
      network = theirs;
    }
    if (defined) {
      const created = network;
      undo?.push(`defined the network "${name}"`, () => created.undefine());
      await network.setAutostart(true);
    }
  }
  // It may have been started by someone else since the list, or while this start is asked.
  const net = network;
  const started = !(await net.isActive()) && (await startUnlessStarted(net));
  if (started) undo?.push(`started the network "${name}"`, () => net.destroy());
  return { network, defined, started };
}
