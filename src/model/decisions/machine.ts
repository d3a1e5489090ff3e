import type { Profile } from '../../catalog/profile.js';
import { HostMissingComponentError } from '../errors.js';
import type { ModelHostFacts } from '../host-facts.js';
import type { Decision } from './context.js';

/** q35 (PCIe, AHCI, SMM for Secure Boot) unless the profile needs the older i440fx PC. */
export function decideMachine(
  profile: Profile,
  host: ModelHostFacts,
): Decision<{ machine: string; canonical: string }> {
  const want = profile.machine;
  const fact = host.machines.find((m) => m.name === want);
  if (!fact)
    throw new HostMissingComponentError(
      `QEMU on this host does not offer the ${want} machine type for x86_64`,
      'qemu-system-x86',
    );
  const canonical = fact.canonical ?? want;
  const reason =
    want === 'q35'
      ? `q35: PCI Express, AHCI and SMM; the ${want} alias lets libvirt pin the newest version (${canonical})`
      : `pc (i440fx): ${profile.name} expects the older PC chipset; libvirt pins ${canonical}`;
  return { choice: { machine: want, canonical }, reason };
}
