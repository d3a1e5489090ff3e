import { hostLabel, UNKNOWN } from '../host-facts.js';
import type { DevicesSpec, GraphicsSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** Why VNC: the display protocol noVNC (a VNC client in a web page) speaks. */
const BROWSER = 'what phyllo serve’s console proxy carries to noVNC in a web page';

/**
 * VNC unless asked otherwise: noVNC, through phyllo serve’s console proxy, speaks it. It listens where nothing outside can
 * reach it: on this host a UNIX socket in libvirt's directory for the VM (only users who may open it:
 * root, or the session's own user), on a remote host its loopback address (reached over that host's
 * SSH transport). SPICE when asked (remote-viewer), with GL when the host has a render node; or none.
 */
export function decideGraphics(ctx: ModelContext): Decision<GraphicsSpec | undefined> {
  const { options, host, profile, caps } = ctx;
  const noVnc =
    caps !== undefined && caps.graphicsTypes.includes('spice') && !caps.graphicsTypes.includes('vnc');
  const kind = options.display ?? (noVnc ? 'spice' : 'vnc');
  if (kind === 'none') return { choice: undefined, reason: 'no display, as asked (serial console only)' };
  const node = host.renderNode;
  const gl = profile.gl && ctx.guest.virtio.gpu && node !== undefined && node !== UNKNOWN;
  if (kind === 'vnc') {
    const spice3d =
      gl && options.display === undefined ? `; 3D on ${node} needs --display spice (local clients)` : '';
    if (host.remoteHost !== undefined)
      return {
        choice: { type: 'vnc', listen: 'address', address: '127.0.0.1' },
        reason: `VNC: ${BROWSER}; on the loopback address of ${host.remoteHost}, which phyllo serve reaches over SSH, so nothing outside ${host.remoteHost} can connect`,
      };
    const who = host.session ? 'your user' : 'root';
    return {
      choice: { type: 'vnc', listen: 'socket' },
      reason: `VNC: ${BROWSER}; on a UNIX socket, so only this host's users with access to it (${who}) can reach it${spice3d}`,
    };
  }
  const asked =
    options.display === 'spice'
      ? ', as asked (for remote-viewer; phyllo serve’s console proxy for noVNC needs VNC)'
      : ' (QEMU here offers no VNC)';
  if (gl)
    return {
      choice: { type: 'spice', listen: 'none', gl: { renderNode: node } },
      reason: `SPICE with OpenGL on ${node}${asked}: local 3D acceleration (local clients only)`,
    };
  const noGl =
    node === UNKNOWN
      ? `; a GPU render node is unknown on ${hostLabel(host)}, so no 3D`
      : `; no GPU render node on ${hostLabel(host)}, so no 3D`;
  return {
    choice: { type: 'spice', listen: 'address', address: '127.0.0.1' },
    reason: `SPICE on the loopback address${asked}${profile.gl ? noGl : ''}`,
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
