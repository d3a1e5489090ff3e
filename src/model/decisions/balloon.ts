import type { DevicesSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** A virtio balloon (with free page reporting on new kernels) so unused guest memory returns to the host. */
export function decideBalloon(ctx: ModelContext): Decision<DevicesSpec['memballoon']> {
  const { profile, guest } = ctx;
  if (profile.balloon === 'none' || !guest.virtio.balloon)
    return {
      choice: { model: 'none' },
      reason:
        profile.family === 'windows'
          ? 'no balloon: Windows without the balloon service gains nothing and inflating confuses its memory manager'
          : `no balloon: ${guest.name} has no virtio balloon driver`,
    };
  if (profile.balloon === 'free-page-reporting')
    return {
      choice: { model: 'virtio', autodeflate: true, freePageReporting: true },
      reason:
        'virtio balloon with free page reporting (kernel ≥ 5.7): freed guest memory goes back to the host',
    };
  return { choice: { model: 'virtio', autodeflate: true }, reason: 'virtio balloon (deflates on guest OOM)' };
}
