import { InvalidOptionError } from '../errors.js';
import type { CpuSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/**
 * The rule for a vCPU count the user asks for (`vm create --vcpus`, `vm set --vcpus`): at most what
 * the machine type allows (a typed error), warnings above the host's CPUs or below the OS minimum.
 */
export function checkAskedVcpus(
  vcpus: number,
  guest: { name: string; minimum: { vcpus: number } },
  hostCpus: number,
  max: number | undefined,
  warnings: string[],
): void {
  if (max !== undefined && vcpus > max)
    throw new InvalidOptionError(`--vcpus ${vcpus} is more than the machine type allows (${max})`);
  if (vcpus > hostCpus)
    warnings.push(`${vcpus} vCPUs on a host with ${hostCpus} CPUs: the vCPUs will compete for them`);
  if (vcpus < guest.minimum.vcpus) warnings.push(`${guest.name} needs at least ${guest.minimum.vcpus} vCPUs`);
}

/** vCPU count from the request or the OS recommendation, capped by the host; laid out as one socket. */
export function decideTopology(
  ctx: ModelContext,
): Decision<{ vcpus: number; topology: CpuSpec['topology'] }> {
  const { host, guest, options, profile } = ctx;
  const hostCpus = host.cores * host.threadsPerCore;
  const max = ctx.caps?.maxVcpus;
  let vcpus: number;
  let why: string;
  if (options.vcpus !== undefined) {
    vcpus = options.vcpus;
    why = `${vcpus} as asked`;
    checkAskedVcpus(vcpus, guest, hostCpus, max, ctx.warnings);
  } else {
    vcpus = Math.max(guest.minimum.vcpus, Math.min(guest.recommended.vcpus, hostCpus));
    why =
      vcpus < guest.recommended.vcpus
        ? `${vcpus}: ${guest.name} recommends ${guest.recommended.vcpus} but the host has ${hostCpus} CPUs`
        : `${vcpus}: recommended for ${guest.name}`;
  }
  const threads =
    ctx.domainType === 'kvm' && host.threadsPerCore > 1 && vcpus % host.threadsPerCore === 0
      ? host.threadsPerCore
      : 1;
  const topology = { sockets: 1, dies: 1, cores: vcpus / threads, threads };
  const layout =
    threads > 1
      ? `1 socket × ${topology.cores} cores × ${threads} threads, like the host's SMT`
      : `1 socket × ${vcpus} cores${ctx.domainType === 'qemu' ? ' (TCG has no SMT to mirror)' : ''}`;
  // Desktop Windows editions use one or two sockets: vCPUs on more sockets would stay idle.
  const sockets =
    profile.family === 'windows' && !profile.id.includes('server')
      ? ' (Windows Home uses only one CPU socket, Pro two)'
      : '';
  return { choice: { vcpus, topology }, reason: `${why}; ${layout}${sockets}` };
}
