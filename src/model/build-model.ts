import { resolveGuestOs } from '../catalog/guest-os.js';
import { OsinfoDb } from '../catalog/osinfo.js';
import { buildDomainXml } from './domain-xml/build-domain.js';
import type { ModelHostFacts } from './host-facts.js';
import type { ModelOptions } from './options.js';
import { assembleSpec } from './phases/assemble.js';
import { DecisionLog, type ExplainedDecision } from './phases/decision-log.js';
import { decideDevices } from './phases/devices.js';
import { normalizeOptions, recordedOptions, type NormalizeDeps } from './phases/normalize.js';
import { decidePlatform } from './phases/platform.js';
import { decideSystem } from './phases/system.js';
import type { DomainSpec } from './spec.js';

export type { DecisionTopic, ExplainedDecision } from './phases/decision-log.js';

/** Bumped when the same inputs would give a different machine. */
export const MODEL_VERSION = 2;

export interface ModelResult {
  spec: DomainSpec;
  xml: string;
  decisions: ExplainedDecision[];
  warnings: string[];
  guest: { requestedId: string; profile: string; name: string; libosinfoId?: string; notes: string[] };
  /** The system disk image to create when the VM is defined (absent for an existing image or no disk). */
  newDisk?: { path: string; sizeMiB: number; format: 'qcow2' };
}

export interface ModelDeps extends NormalizeDeps {
  osinfo?: OsinfoDb;
}

/**
 * The model: a guest OS, the host's facts and the user's options in; a domain spec, its XML and a
 * reason for every decision out. Throws typed errors (never produces XML) for bad options.
 *
 * Phases: options are checked and parsed, then the platform is decided (domain type, machine,
 * firmware, CPU), then the system (resources, clock, features, power, boot), then the devices; the
 * parts are assembled into a spec, and the spec is written as XML.
 */
export function buildModel(options: ModelOptions, host: ModelHostFacts, deps: ModelDeps = {}): ModelResult {
  const guest = resolveGuestOs(options.os, deps.osinfo ?? new OsinfoDb());
  const opts = normalizeOptions(options, deps);
  const log = new DecisionLog();
  log.note('os', guest.profile.id, `${guest.profileReason}; ${guest.resourcesReason}`);

  const platform = decidePlatform(guest, opts, host, log);
  const system = decideSystem(platform, log);
  const { devices, diskMiB } = decideDevices(platform.ctx, platform.machine.machine, log);
  const spec = assembleSpec({
    guest,
    options: opts,
    recorded: recordedOptions(options),
    arch: host.arch,
    modelVersion: MODEL_VERSION,
    platform,
    system,
    devices,
  });

  const systemDisk = devices.disks.find((d) => d.device === 'disk');
  const newDisk =
    diskMiB !== undefined && !opts.diskImage && systemDisk?.source
      ? { path: systemDisk.source, sizeMiB: diskMiB, format: 'qcow2' as const }
      : undefined;
  return {
    ...(newDisk ? { newDisk } : {}),
    spec,
    xml: buildDomainXml(spec),
    decisions: log.decisions,
    warnings: platform.ctx.warnings,
    guest: {
      requestedId: guest.requestedId,
      profile: guest.profile.id,
      name: guest.name,
      ...(guest.libosinfoId ? { libosinfoId: guest.libosinfoId } : {}),
      notes: guest.profile.notes,
    },
  };
}
