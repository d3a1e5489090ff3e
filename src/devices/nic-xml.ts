/** The `<interface>` element `vm nic add` gives a VM, and the MAC addresses it accepts. Pure. */
import { InvalidInputError } from '../errors.js';
import { el, type XmlNode } from '../xml/node.js';

export type NicModel = 'virtio' | 'e1000e';
export const NIC_MODELS: readonly NicModel[] = ['virtio', 'e1000e'];

/** Where the card plugs in: a libvirt network, or a bridge on the host. */
export type NicSource = { network: string } | { bridge: string };

export interface NicSpec {
  source: NicSource;
  model: NicModel;
  /** Lower case; absent: libvirt picks a free one (52:54:00:…). */
  mac?: string;
}

/**
 * The MAC address in lower case, or a typed error: six hex octets separated by colons, and unicast
 * (QEMU's NIC cannot take a multicast address as its own; libvirt refuses one).
 */
export function normalMac(text: string): string {
  const mac = text.trim().toLowerCase();
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac))
    throw new InvalidInputError(`${text} is not a MAC address`, {
      hint: 'Write it as six hex pairs with colons, e.g. 52:54:00:12:34:56.',
    });
  if (parseInt(mac.slice(0, 2), 16) & 1)
    throw new InvalidInputError(`${text} is a multicast address: a network card needs a unicast one`, {
      hint: 'The first octet must be even, e.g. 52:54:00:12:34:56.',
    });
  return mac;
}

export function nicElement(spec: NicSpec): XmlNode {
  const network = 'network' in spec.source;
  return el('interface', { type: network ? 'network' : 'bridge' }, [
    spec.mac !== undefined && el('mac', { address: spec.mac }),
    el(
      'source',
      'network' in spec.source ? { network: spec.source.network } : { bridge: spec.source.bridge },
    ),
    el('model', { type: spec.model }),
  ]);
}
