import type { GuestOs } from '../../catalog/guest-os.js';
import type { Profile } from '../../catalog/profile.js';
import type { DomainCapabilities } from '../domain-capabilities.js';
import type { ModelHostFacts } from '../host-facts.js';
import type { DisplayKind, FirmwareKind } from '../options.js';
import type { DomainType } from '../spec.js';

/** A decision: what the model chose and why, in a few words. */
export interface Decision<T> {
  choice: T;
  reason: string;
}

/** Options after parsing: sizes in KiB/MiB, counts as numbers. */
export interface NormalizedOptions {
  name: string;
  memoryKiB?: number;
  vcpus?: number;
  /** undefined: default size; 'none': no disk. */
  diskMiB?: number | 'none';
  diskImage?: string;
  /** Where a new system disk image goes. */
  imageDir: string;
  iso?: string;
  drivers?: string;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  display?: DisplayKind;
  network?: string;
  session: boolean;
  migratable: boolean;
  serialLog?: string;
  /** The firmware an installed disk needs (an imported appliance), over the profile's. */
  firmware?: FirmwareKind;
}

/** Everything a decision may ask about. */
export interface ModelContext {
  guest: GuestOs;
  profile: Profile;
  host: ModelHostFacts;
  options: NormalizedOptions;
  /** Set once the domain type is decided. */
  domainType: DomainType;
  /** Domain capabilities for the chosen domain type, when known. */
  caps: DomainCapabilities | undefined;
  /** Whether the guest can use virtio devices (inbox, or a driver disk is attached). */
  virtioDisk: boolean;
  virtioNet: boolean;
  warnings: string[];
}
