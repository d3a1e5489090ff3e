import { type KvmVerdict, TCG_NOTE } from '../host/kvm-verdict.js';
import { parseCapabilities, x86Guest } from '../model/capabilities.js';
import { child, textOf } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';

/** What a host's libvirt capabilities say before any boot test: who the host is, what it offers. */
export interface HostOffer {
  /** `<host><uuid>`: the host's identity, the same on every connection to it. */
  hostUuid: string;
  /** Domain types offered for x86_64 guests: `qemu`, `kvm`. */
  domainTypes: string[];
}

/** Reads libvirt's host capabilities XML (pure). */
export function hostOffer(capabilitiesXml: string): HostOffer {
  const host = child(parseXml(capabilitiesXml, 'libvirt capabilities'), 'host');
  return {
    hostUuid: textOf(host, 'uuid') ?? 'unknown',
    domainTypes: x86Guest(parseCapabilities(capabilitiesXml))?.domainTypes ?? [],
  };
}

/** The verdict without a boot test when libvirt on the host does not offer `virttype`, else undefined. */
export function notOfferedVerdict(offer: HostOffer, virttype: 'kvm' | 'qemu'): KvmVerdict | undefined {
  if (offer.domainTypes.includes(virttype)) return undefined;
  const types = offer.domainTypes;
  return {
    state: 'unavailable',
    usable: false,
    cached: false,
    summary:
      virttype === 'kvm'
        ? `libvirt on this host does not offer KVM: ${TCG_NOTE}`
        : 'libvirt on this host does not offer TCG (emulation) for x86_64 guests',
    detail: `its capabilities list ${types.length ? `only ${types.join(', ')}` : 'no domain type'} for x86_64 guests`,
  };
}
