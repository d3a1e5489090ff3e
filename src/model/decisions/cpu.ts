import { hostLabel, UNKNOWN } from '../host-facts.js';
import type { CpuSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

export type CpuChoice = Pick<CpuSpec, 'mode' | 'model' | 'features' | 'migratable'>;

/** Models TCG emulates well enough for modern guests (SSE4.2, POPCNT), best first. */
const TCG_MODELS = ['Nehalem', 'Penryn', 'qemu64'] as const;

/** host-passthrough on KVM (host-model when migration matters); under TCG, the most TCG can emulate. */
export function decideCpu(ctx: ModelContext): Decision<CpuChoice> {
  const { host, profile, caps } = ctx;
  if (ctx.domainType === 'kvm') {
    const nested: CpuChoice['features'] = [];
    if (profile.nested && host.cpuVendor !== 'unknown')
      nested.push({ policy: 'require', name: host.cpuVendor === 'intel' ? 'vmx' : 'svm' });
    const nestedWhy = profile.nested
      ? host.nested === true
        ? `; ${nested[0]?.name ?? 'virtualization'} exposed for nested guests`
        : host.nested === UNKNOWN
          ? `; nested virtualization is unknown on ${hostLabel(host)} (its kvm module's nested parameter cannot be read through libvirt)`
          : `; nested guests need the host's kvm module loaded with nested=1`
      : '';
    if (profile.nested && host.nested === false)
      ctx.warnings.push('Nested virtualization is disabled in the host kvm module: the guest cannot use KVM');
    if (ctx.options.migratable && caps?.cpuModes.hostModel !== false)
      return {
        choice: { mode: 'host-model', features: nested },
        reason: `host-model: migration between different hosts was asked for${nestedWhy}`,
      };
    return {
      choice: { mode: 'host-passthrough', migratable: true, features: nested },
      reason: `host-passthrough: KVM gives the guest every feature of the host CPU${nestedWhy}`,
    };
  }
  if (profile.nested)
    ctx.warnings.push('Under TCG the guest cannot run its own guests with hardware acceleration');
  if (!caps || caps.cpuModes.maximum)
    return {
      choice: { mode: 'maximum', migratable: true, features: [] },
      reason: 'maximum: every CPU feature TCG can emulate (never host-passthrough without KVM)',
    };
  const model = TCG_MODELS.find((m) => caps.usableCpuModels.includes(m)) ?? 'qemu64';
  return {
    choice: { mode: 'custom', model, features: [] },
    reason: `custom ${model}: the newest model TCG can emulate on this host`,
  };
}
