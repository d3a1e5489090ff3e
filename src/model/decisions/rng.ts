import type { DevicesSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** virtio-rng fed from the host's /dev/urandom: entropy at boot, no waiting for keys. */
export function decideRng(ctx: ModelContext): Decision<DevicesSpec['rng']> {
  const { profile, guest, options } = ctx;
  if (!profile.rng) return { choice: undefined, reason: `${guest.name} has no virtio-rng driver` };
  const driverOk = profile.virtioDrivers === 'inbox' ? guest.virtio.rng : Boolean(options.drivers);
  if (!driverOk)
    return {
      choice: undefined,
      reason:
        profile.virtioDrivers === 'driver-disk'
          ? `no virtio-rng: ${guest.name} needs the driver disk (--drivers) for it`
          : `no virtio-rng: ${guest.virtioReason}`,
    };
  return {
    choice: { model: 'virtio', source: '/dev/urandom' },
    reason: 'virtio-rng from /dev/urandom: entropy from the first boot',
  };
}
