import { hostLabel, type ModelHostFacts } from '../host-facts.js';
import type { DomainType } from '../spec.js';
import type { Decision } from './context.js';

export const TCG_SLOWDOWN = '10–50×';

/** KVM only when a guest really booted under it; libvirt offering `kvm` is not enough. */
export function decideDomainType(host: ModelHostFacts): Decision<DomainType> & { warning?: string } {
  if (host.kvm.works === true)
    return { choice: 'kvm', reason: `KVM runs guests on ${hostLabel(host)} (${host.kvm.reason})` };
  const why = !host.kvm.offered
    ? `KVM is not available (${host.kvm.reason})`
    : host.kvm.works === false
      ? `libvirt offers KVM but the boot test failed (${host.kvm.reason})`
      : host.remoteHost !== undefined
        ? `whether KVM runs guests is unknown on ${host.remoteHost} (${host.kvm.reason})`
        : `KVM was not boot-tested (${host.kvm.reason}); run \`phyllo host check\``;
  return {
    choice: 'qemu',
    reason: `${why}: QEMU's emulator (TCG)`,
    warning: `${why}: the guest runs under emulation (TCG), expect it to be ${TCG_SLOWDOWN} slower than with KVM`,
  };
}
