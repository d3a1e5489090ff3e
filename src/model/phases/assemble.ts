import type { GuestOs } from '../../catalog/guest-os.js';
import type { NormalizedOptions } from '../decisions/context.js';
import type { DevicesSpec, DomainSpec } from '../spec.js';
import type { Platform } from './platform.js';
import type { SystemChoices } from './system.js';

export interface SpecParts {
  guest: GuestOs;
  options: NormalizedOptions;
  /** The options as given, kept in the metadata. */
  recorded: Record<string, string>;
  arch: string;
  modelVersion: number;
  platform: Platform;
  system: SystemChoices;
  devices: DevicesSpec;
}

/** Puts the decided parts together into one domain spec. */
export function assembleSpec(parts: SpecParts): DomainSpec {
  const { guest, platform, system } = parts;
  const { machine, firmware: fw, cpu } = platform;
  const spec: DomainSpec = {
    type: platform.ctx.domainType,
    name: parts.options.name,
    metadata: {
      ...(guest.libosinfoId ? { libosinfoId: guest.libosinfoId } : {}),
      phyllome: {
        profile: guest.profile.id,
        os: guest.requestedId,
        modelVersion: parts.modelVersion,
        options: parts.recorded,
      },
      extra: [],
    },
    memoryKiB: system.memoryKiB,
    currentMemoryKiB: system.memoryKiB,
    ...(system.sharedMemory ? { memoryBacking: system.sharedMemory } : {}),
    vcpus: system.topology.vcpus,
    os: {
      arch: parts.arch,
      machine: machine.machine,
      firmware: fw.firmware,
      ...(fw.firmware === 'efi'
        ? { firmwareFeatures: { secureBoot: fw.secureBoot, enrolledKeys: fw.enrolledKeys } }
        : {}),
      ...(fw.smm ? { loaderSecure: true } : {}),
      ...system.boot,
      extra: [],
    },
    features: { ...system.features, ...(system.hyperv ? { hyperv: system.hyperv } : {}), extra: [] },
    cpu: { ...cpu, topology: system.topology.topology, extra: [] },
    clock: system.clock,
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    ...(system.power ? { pm: system.power } : {}),
    devices: parts.devices,
    extra: [],
  };
  if (fw.firmware === 'bios') delete spec.os.firmware;
  return spec;
}
