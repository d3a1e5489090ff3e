import type { DevicesSpec, GraphicsSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

export const GUEST_AGENT_CHANNEL = 'org.qemu.guest_agent.0';
export const SPICE_AGENT_CHANNEL = 'com.redhat.spice.0';

/** The QEMU guest agent (clean shutdown, fs freeze, IP addresses) and the SPICE agent with SPICE. */
export function decideChannels(
  ctx: ModelContext,
  graphics: GraphicsSpec | undefined,
): Decision<DevicesSpec['channels']> {
  const { profile } = ctx;
  const out: DevicesSpec['channels'] = [];
  const why: string[] = [];
  if (profile.guestAgent) {
    out.push({ type: 'unix', name: GUEST_AGENT_CHANNEL });
    why.push('QEMU guest agent (addresses, quiesced snapshots, clean shutdown)');
  }
  if (graphics?.type === 'spice' && profile.family !== 'reactos') {
    out.push({ type: 'spicevmc', name: SPICE_AGENT_CHANNEL });
    why.push('SPICE agent (clipboard, resolution)');
  }
  return { choice: out, reason: why.length ? why.join('; ') : 'no agent channels: the guest has no agents' };
}
