import { hostLabel, UNKNOWN } from '../host-facts.js';
import type { DevicesSpec, GraphicsSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** SPICE locally (with GL when the host has a render node), VNC when asked (or without SPICE), or none. */
export function decideGraphics(ctx: ModelContext): Decision<GraphicsSpec | undefined> {
  const { options, host, profile, caps } = ctx;
  const kind = options.display ?? (caps && !caps.graphicsTypes.includes('spice') ? 'vnc' : 'spice');
  if (kind === 'none') return { choice: undefined, reason: 'no display, as asked (serial console only)' };
  if (kind === 'vnc')
    return {
      choice: { type: 'vnc', listen: 'address', address: '127.0.0.1' },
      reason: 'VNC on the loopback address: any VNC client on this host (or through an SSH tunnel)',
    };
  const node = host.renderNode;
  const gl = profile.gl && ctx.guest.virtio.gpu && node !== undefined && node !== UNKNOWN;
  if (gl)
    return {
      choice: { type: 'spice', listen: 'none', gl: { renderNode: node } },
      reason: `SPICE with OpenGL on ${node}: local 3D acceleration (local clients only)`,
    };
  const noGl =
    node === UNKNOWN
      ? `: a GPU render node is unknown on ${hostLabel(host)}, so no 3D`
      : `: no GPU render node on ${hostLabel(host)}, so no 3D`;
  return {
    choice: { type: 'spice', listen: 'address', address: '127.0.0.1' },
    reason: `SPICE on the loopback address${profile.gl ? noGl : ''}`,
  };
}

/** virtio-gpu when the guest drives it (3D with GL), otherwise a standard VGA adapter. */
export function decideVideo(
  ctx: ModelContext,
  graphics: GraphicsSpec | undefined,
): Decision<DevicesSpec['videos']> {
  const { profile, guest, options, caps } = ctx;
  const virtioOk = profile.video.virtio === 'virtio' && (guest.virtio.gpu || Boolean(options.drivers));
  let model = virtioOk ? 'virtio' : profile.video.fallback;
  if (caps && caps.videoModels.length > 0 && !caps.videoModels.includes(model)) model = 'vga';
  if (!graphics) return { choice: [{ model: 'none' }], reason: 'no display: no video adapter' };
  if (model === 'virtio') {
    const accel3d = Boolean(graphics.gl);
    return {
      choice: [{ model: 'virtio', heads: 1, primary: true, ...(accel3d ? { accel3d: true } : {}) }],
      reason: `virtio-gpu${accel3d ? ' with virgl 3D' : ''}: resizes with the window${options.drivers ? ' (viogpudo from the driver disk)' : ''}`,
    };
  }
  return {
    choice: [{ model, heads: 1, primary: true }],
    reason: `${model.toUpperCase()}: ${guest.name} drives it without extra drivers`,
  };
}
