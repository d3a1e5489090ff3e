import { hostLabel, UNKNOWN } from '../host-facts.js';
import type { InterfaceSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

export const DEFAULT_NETWORK = 'default';

/** The NIC model: virtio-net when the guest can drive it (also asked by `vm upgrade-devices`). */
export function nicModel(ctx: Pick<ModelContext, 'profile' | 'virtioNet'>): InterfaceSpec['model'] {
  return ctx.virtioNet && ctx.profile.nic.virtio === 'virtio' ? 'virtio' : ctx.profile.nic.fallback;
}

/** virtio-net when the guest can drive it; user-mode (passt) for session VMs, the NAT network for system VMs. */
export function decideNic(ctx: ModelContext): Decision<InterfaceSpec> {
  const { profile, guest, options, host } = ctx;
  const model = nicModel(ctx);
  const modelWhy =
    model === 'virtio'
      ? 'virtio-net: the fastest paravirtual NIC'
      : profile.virtioDrivers === 'driver-disk'
        ? `${model}: ${guest.name} has an inbox driver for it but none for virtio-net (--drivers virtio-win.iso gives it virtio-net, or \`phyllo vm upgrade-devices\` once the drivers are installed in the guest)`
        : `${model}: the NIC ${guest.name} has a driver for`;
  if (options.session) {
    const libvirtPasst = ctx.caps?.netBackends?.includes('passt') ?? false;
    const passt = host.passt === true && libvirtPasst;
    const why = passt
      ? ' through passt'
      : host.passt === UNKNOWN
        ? ` (whether passt is installed is unknown on ${hostLabel(host)}): the built-in SLIRP`
        : host.passt
          ? ' (passt is installed, but this libvirt does not list the passt backend; 9.0 rejects it): the built-in SLIRP'
          : ' (passt is not installed): the built-in SLIRP';
    return {
      choice: { type: 'user', model, ...(passt ? { backend: 'passt' as const } : {}), extra: [] },
      reason: `${modelWhy}; session VM: user-mode networking${why}`,
    };
  }
  const network = options.network ?? DEFAULT_NETWORK;
  return {
    choice: { type: 'network', network, model, extra: [] },
    reason: `${modelWhy}; system VM: ${network === DEFAULT_NETWORK ? 'the default NAT network' : `the libvirt network "${network}"`}`,
  };
}
