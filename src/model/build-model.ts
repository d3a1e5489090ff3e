import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveGuestOs } from '../catalog/guest-os.js';
import { OsinfoDb } from '../catalog/osinfo.js';
import { decideBalloon } from './decisions/balloon.js';
import { decideBoot } from './decisions/boot.js';
import { decideChannels } from './decisions/channels.js';
import { decideClock } from './decisions/clock.js';
import { decideConsole } from './decisions/console.js';
import type { ModelContext, NormalizedOptions } from './decisions/context.js';
import { decideControllers } from './decisions/controllers.js';
import { decideCpu } from './decisions/cpu.js';
import { decideDiskBus, decideDisks, SESSION_IMAGE_SUBDIR, SYSTEM_IMAGE_DIR } from './decisions/disks.js';
import { decideGraphics, decideVideo } from './decisions/display.js';
import { decideDomainType } from './decisions/domain-type.js';
import { decideFeatures } from './decisions/features.js';
import { decideFirmware } from './decisions/firmware.js';
import { decideHyperv } from './decisions/hyperv.js';
import { decideInput } from './decisions/input.js';
import { decideIommu } from './decisions/iommu.js';
import { decideMachine } from './decisions/machine.js';
import { decideMemory } from './decisions/memory.js';
import { decideNic } from './decisions/nic.js';
import { decidePower } from './decisions/power.js';
import { decideRng } from './decisions/rng.js';
import { decideSharedMemory } from './decisions/shared-memory.js';
import { decideTopology } from './decisions/topology.js';
import { decideTpm } from './decisions/tpm.js';
import type { ModelHostFacts } from './host-facts.js';
import {
  kebab,
  parseCount,
  parseSizeMiB,
  validateName,
  validateStrings,
  type ModelOptions,
} from './options.js';
import type { DomainSpec } from './spec.js';
import { buildDomainXml } from './xml/build-domain.js';

/** Bumped when the same inputs would give a different machine. */
export const MODEL_VERSION = 1;

export type DecisionTopic =
  | 'os'
  | 'domain-type'
  | 'machine'
  | 'firmware'
  | 'cpu'
  | 'topology'
  | 'memory'
  | 'shared-memory'
  | 'clock'
  | 'features'
  | 'hyperv'
  | 'power'
  | 'boot'
  | 'disk-bus'
  | 'disks'
  | 'controllers'
  | 'nic'
  | 'display'
  | 'video'
  | 'input'
  | 'tpm'
  | 'rng'
  | 'balloon'
  | 'channels'
  | 'console'
  | 'iommu';

export interface ExplainedDecision {
  topic: DecisionTopic;
  /** A one-line summary of the choice. */
  choice: string;
  reason: string;
}

export interface ModelResult {
  spec: DomainSpec;
  xml: string;
  decisions: ExplainedDecision[];
  warnings: string[];
  guest: { requestedId: string; profile: string; name: string; libosinfoId?: string; notes: string[] };
  /** The system disk image to create when the VM is defined (absent for an existing image or no disk). */
  newDisk?: { path: string; sizeGiB: number; format: 'qcow2' };
}

export interface ModelDeps {
  osinfo?: OsinfoDb;
  homeDir?: string;
}

function normalize(options: ModelOptions, deps: ModelDeps): NormalizedOptions {
  validateName(options.name);
  validateStrings(options);
  // Paths are the caller's to check (src/machines/option-paths.ts): they name files on the VM's host.
  const session = options.session ?? false;
  const n: NormalizedOptions = {
    name: options.name,
    session,
    migratable: options.migratable ?? false,
    imageDir: session ? join(deps.homeDir ?? homedir(), SESSION_IMAGE_SUBDIR) : SYSTEM_IMAGE_DIR,
  };
  if (options.memory !== undefined) n.memoryMiB = parseSizeMiB('--memory', options.memory, 'M');
  if (options.vcpus !== undefined) n.vcpus = parseCount('--vcpus', options.vcpus);
  if (options.diskSize !== undefined)
    n.diskGiB =
      options.diskSize === 'none'
        ? 'none'
        : Math.ceil(parseSizeMiB('--disk-size', options.diskSize, 'G') / 1024);
  for (const k of [
    'diskImage',
    'iso',
    'drivers',
    'kernel',
    'initrd',
    'cmdline',
    'display',
    'network',
    'serialLog',
  ] as const) {
    const v = options[k];
    if (v !== undefined) (n as unknown as Record<string, unknown>)[k] = v;
  }
  return n;
}

function recordedOptions(options: ModelOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options))
    if (v !== undefined && k !== 'name' && k !== 'os') out[kebab(k)] = String(v);
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

/**
 * The model: a guest OS, the host's facts and the user's options in; a domain spec, its XML and a
 * reason for every decision out. Throws typed errors (never produces XML) for bad options.
 */
export function buildModel(options: ModelOptions, host: ModelHostFacts, deps: ModelDeps = {}): ModelResult {
  const guest = resolveGuestOs(options.os, deps.osinfo ?? new OsinfoDb());
  const profile = guest.profile;
  const opts = normalize(options, deps);
  const decisions: ExplainedDecision[] = [];
  const note = (topic: DecisionTopic, choice: unknown, reason: string): void => {
    decisions.push({ topic, choice: describe(choice), reason });
  };
  note('os', profile.id, `${guest.profileReason}; ${guest.resourcesReason}`);

  const dt = decideDomainType(host);
  const warnings: string[] = dt.warning ? [dt.warning] : [];
  note('domain-type', dt.choice, dt.reason);
  const hasDrivers = opts.drivers !== undefined;
  const ctx: ModelContext = {
    guest,
    profile,
    host,
    options: opts,
    domainType: dt.choice,
    caps: host.domainCaps[dt.choice],
    virtioDisk: guest.virtio.disk || hasDrivers,
    virtioNet: guest.virtio.net || hasDrivers,
    warnings,
  };

  const machine = decideMachine(profile, host);
  note('machine', machine.choice.machine, machine.reason);
  const fw = decideFirmware(ctx, machine.choice.canonical);
  note(
    'firmware',
    fw.choice.firmware === 'efi' ? `efi${fw.choice.secureBoot ? ' + secure boot' : ''}` : 'bios',
    fw.reason,
  );
  const cpu = decideCpu(ctx);
  note('cpu', cpu.choice.model ? `${cpu.choice.mode} ${cpu.choice.model}` : cpu.choice.mode, cpu.reason);
  const topo = decideTopology(ctx);
  note('topology', `${topo.choice.vcpus} vCPUs`, topo.reason);
  const mem = decideMemory(ctx);
  note('memory', `${mem.choice} MiB`, mem.reason);
  const shm = decideSharedMemory(ctx);
  note('shared-memory', shm.choice ? 'memfd, shared' : 'private', shm.reason);
  const clock = decideClock(ctx);
  note('clock', clock.choice.offset, clock.reason);
  const features = decideFeatures(fw.choice.smm, machine.choice.machine);
  note('features', Object.keys(features.choice).join(', '), features.reason);
  const hv = decideHyperv(ctx);
  note('hyperv', hv.choice ? Object.keys(hv.choice).join(', ') : 'none', hv.reason);
  const power = decidePower(ctx, fw.choice);
  note(
    'power',
    [power.choice?.suspendToMem ? 'S3' : '', power.choice?.suspendToDisk ? 'S4' : '']
      .filter(Boolean)
      .join('+') || 'off',
    power.reason,
  );
  const boot = decideBoot(ctx);
  note('boot', boot.choice.kernel ? 'direct kernel' : boot.choice.boot.join(', '), boot.reason);

  const bus = decideDiskBus(ctx);
  note('disk-bus', bus.choice, bus.reason);
  const diskGiB =
    opts.diskGiB === 'none' || (opts.kernel && opts.diskGiB === undefined)
      ? undefined
      : (opts.diskGiB ?? guest.recommended.diskGiB);
  if (opts.diskGiB !== undefined && opts.diskGiB !== 'none' && opts.diskGiB < guest.minimum.diskGiB)
    warnings.push(`${guest.name} needs at least ${guest.minimum.diskGiB} GiB of disk`);
  const disks = decideDisks(ctx, bus.choice, diskGiB);
  note('disks', disks.choice.map((d) => `${d.target} ${d.device}`).join(', ') || 'none', disks.reason);
  const controllers = decideControllers(machine.choice.machine);
  note(
    'controllers',
    controllers.choice.map((c) => c.model ?? c.type).join(', ') || 'built-in',
    controllers.reason,
  );
  const nic = decideNic(ctx);
  note(
    'nic',
    `${nic.choice.model} on ${nic.choice.type === 'user' ? `user${nic.choice.backend ? '/passt' : ''}` : nic.choice.network}`,
    nic.reason,
  );
  const graphics = decideGraphics(ctx);
  note(
    'display',
    graphics.choice ? `${graphics.choice.type}${graphics.choice.gl ? ' + gl' : ''}` : 'none',
    graphics.reason,
  );
  const video = decideVideo(ctx, graphics.choice);
  note('video', video.choice.map((v) => v.model).join(', '), video.reason);
  const input = decideInput(ctx, graphics.choice !== undefined);
  note('input', input.choice.map((i) => `${i.bus} ${i.type}`).join(', ') || 'ps2', input.reason);
  const tpm = decideTpm(ctx);
  note('tpm', tpm.choice ? `${tpm.choice.model} ${tpm.choice.version}` : 'none', tpm.reason);
  const rng = decideRng(ctx);
  note('rng', rng.choice ? 'virtio' : 'none', rng.reason);
  const balloon = decideBalloon(ctx);
  note('balloon', balloon.choice.model, balloon.reason);
  const channels = decideChannels(ctx, graphics.choice);
  note('channels', channels.choice.map((c) => c.name).join(', ') || 'none', channels.reason);
  const cons = decideConsole(ctx);
  note('console', 'serial', cons.reason);
  const iommu = decideIommu(ctx);
  note('iommu', iommu.choice, iommu.reason);

  const spec: DomainSpec = {
    type: dt.choice,
    name: opts.name,
    metadata: {
      ...(guest.libosinfoId ? { libosinfoId: guest.libosinfoId } : {}),
      phyllome: {
        profile: profile.id,
        os: guest.requestedId,
        modelVersion: MODEL_VERSION,
        options: recordedOptions(options),
      },
      extra: [],
    },
    memoryKiB: mem.choice * 1024,
    currentMemoryKiB: mem.choice * 1024,
    ...(shm.choice ? { memoryBacking: shm.choice } : {}),
    vcpus: topo.choice.vcpus,
    os: {
      arch: host.arch,
      machine: machine.choice.machine,
      firmware: fw.choice.firmware,
      ...(fw.choice.firmware === 'efi'
        ? { firmwareFeatures: { secureBoot: fw.choice.secureBoot, enrolledKeys: fw.choice.enrolledKeys } }
        : {}),
      ...(fw.choice.smm ? { loaderSecure: true } : {}),
      ...boot.choice,
      extra: [],
    },
    features: { ...features.choice, ...(hv.choice ? { hyperv: hv.choice } : {}), extra: [] },
    cpu: { ...cpu.choice, topology: topo.choice.topology, extra: [] },
    clock: clock.choice,
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    ...(power.choice ? { pm: power.choice } : {}),
    devices: {
      disks: disks.choice,
      controllers: controllers.choice,
      interfaces: [nic.choice],
      graphics: graphics.choice ? [graphics.choice] : [],
      videos: video.choice,
      inputs: input.choice,
      ...(tpm.choice ? { tpm: tpm.choice } : {}),
      ...(rng.choice ? { rng: rng.choice } : {}),
      memballoon: balloon.choice,
      channels: channels.choice,
      ...cons.choice,
      extra: [],
    },
    extra: [],
  };
  if (fw.choice.firmware === 'bios') delete spec.os.firmware;
  const systemDisk = disks.choice.find((d) => d.device === 'disk');
  const newDisk =
    diskGiB !== undefined && !opts.diskImage && systemDisk?.source
      ? { path: systemDisk.source, sizeGiB: diskGiB, format: 'qcow2' as const }
      : undefined;
  return {
    ...(newDisk ? { newDisk } : {}),
    spec,
    xml: buildDomainXml(spec),
    decisions,
    warnings,
    guest: {
      requestedId: guest.requestedId,
      profile: profile.id,
      name: guest.name,
      ...(guest.libosinfoId ? { libosinfoId: guest.libosinfoId } : {}),
      notes: profile.notes,
    },
  };
}
