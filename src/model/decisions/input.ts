import type { DevicesSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** An absolute pointer (tablet) so the cursor follows the client; virtio input for Linux. */
export function decideInput(ctx: ModelContext, hasDisplay: boolean): Decision<DevicesSpec['inputs']> {
  const { profile, guest } = ctx;
  if (!hasDisplay) return { choice: [], reason: 'no display: only the PS/2 devices the machine always has' };
  const kind = guest.virtio.input ? profile.input.virtio : profile.input.fallback;
  if (kind === 'virtio')
    return {
      choice: [
        { type: 'tablet', bus: 'virtio' },
        { type: 'keyboard', bus: 'virtio' },
      ],
      reason: 'virtio tablet and keyboard: paravirtual, no USB emulation needed',
    };
  if (kind === 'usb')
    return {
      choice:
        profile.family === 'darwin'
          ? [
              { type: 'tablet', bus: 'usb' },
              { type: 'keyboard', bus: 'usb' },
            ]
          : [{ type: 'tablet', bus: 'usb' }],
      reason: `USB tablet: ${guest.name} has an inbox USB HID driver; absolute pointer without grabbing`,
    };
  return {
    choice: [],
    reason: `PS/2 mouse and keyboard only: ${guest.name}'s USB support is not reliable enough`,
  };
}
