import { resolveGuestOs } from '../catalog/guest-os.js';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';

/** What the limits of a change need to know about a VM's guest OS. */
export interface GuestLimits {
  name: string;
  minimum: { memoryMiB: number; vcpus: number };
  /** The OS id from our metadata, when Phyllome made the VM. */
  os?: string;
}

/**
 * The guest OS of a defined VM, from our metadata (the OS id `vm create` recorded); a VM made by
 * another tool has no OS minimum Phyllome knows.
 */
export function guestOfDomainXml(xml: string): GuestLimits {
  const os = parseDomainXml(xml).metadata.phyllome?.os;
  if (os) {
    try {
      const g = resolveGuestOs(os);
      return { name: g.name, minimum: { memoryMiB: g.minimum.memoryMiB, vcpus: g.minimum.vcpus }, os };
    } catch {
      // an OS id this catalog no longer knows: no minimum
    }
  }
  return { name: 'this guest', minimum: { memoryMiB: 1, vcpus: 1 } };
}
