import { HYPERV_ENLIGHTENMENTS, type HypervSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

const SPINLOCK_RETRIES = 8191;

/** The enlightenments worth having: all the model knows, in dependency order. */
const WANTED = HYPERV_ENLIGHTENMENTS;
type Wanted = (typeof WANTED)[number];

const NEEDS: Partial<Record<Wanted, Wanted[]>> = {
  synic: ['vpindex'],
  stimer: ['synic', 'vpindex'],
  tlbflush: ['vpindex'],
  ipi: ['vpindex'],
};
/** Used when libvirt does not list Hyper-V features (older than 8.x) and KVM runs the guest. */
const CONSERVATIVE: Wanted[] = ['relaxed', 'vapic', 'spinlocks'];

/** Hyper-V enlightenments for Windows guests, chosen from what the domain capabilities say QEMU supports. */
export function decideHyperv(ctx: ModelContext): Decision<HypervSpec | undefined> {
  if (!ctx.profile.hyperv)
    return { choice: undefined, reason: `${ctx.profile.name} does not use Hyper-V enlightenments` };
  const listed = ctx.caps?.hyperv;
  let offered: readonly Wanted[];
  let source: string;
  if (listed?.supported) {
    offered = WANTED.filter((w) => listed.features.includes(w));
    source = 'listed in the domain capabilities';
  } else if (listed && !listed.supported) {
    return {
      choice: undefined,
      reason: 'the domain capabilities say Hyper-V enlightenments are not supported',
    };
  } else if (ctx.domainType === 'kvm') {
    offered = CONSERVATIVE;
    source = 'libvirt does not list Hyper-V features: the conservative set';
  } else return { choice: undefined, reason: 'no Hyper-V enlightenments known to work under TCG' };
  // stimer needs the Hyper-V clock, which only exists under KVM.
  const chosen = offered.filter(
    (w) => (NEEDS[w] ?? []).every((n) => offered.includes(n)) && (w !== 'stimer' || ctx.domainType === 'kvm'),
  );
  if (chosen.length === 0) return { choice: undefined, reason: `no useful Hyper-V enlightenment ${source}` };
  const spec: HypervSpec = {};
  for (const w of chosen) {
    if (w === 'spinlocks') spec.spinlocks = SPINLOCK_RETRIES;
    else spec[w] = true;
  }
  return { choice: spec, reason: `${chosen.join(', ')}: ${source}` };
}
