import type { Api, ServerContext } from '../context.js';
import { HostQuery } from '../query.js';
import { openVmVnc } from '../../machines/open-vm-display.js';
import { consoleRoute } from './console-route.js';
import { consoleSession } from './session.js';

/**
 * `GET /api/vms/{name}/vnc`: the VM's VNC display for noVNC, as websockify serves it: a WebSocket
 * whose binary frames carry the RFB bytes both ways, unchanged (the `binary` subprotocol is accepted
 * when offered). The proxy reaches the VNC server where only the VM's host can (its UNIX socket or
 * loopback port; over SSH for a remote host); passwords are RFB's business, never read or logged here.
 */
export function vncProxyRoutes(app: Api, ctx: ServerContext): void {
  consoleRoute(app, {
    url: '/api/vms/:name/vnc',
    kind: 'vnc',
    summary: 'The VM’s VNC display for noVNC: a WebSocket carrying RFB in binary frames',
    description:
      'Upgrade to a WebSocket; its binary frames carry the RFB protocol both ways (noVNC, websockify-style). ' +
      'Errors before the upgrade have the API’s error shape: 404 unknown VM, 409 not running or a SPICE display ' +
      '(GET /api/vms/{name}/console.vv instead), 502 display unreachable. Closes with 1000 "vm-stopped" when the ' +
      'VM stops, 1000 "console-closed" when the VNC server ends the connection.',
    querystring: HostQuery,
    open: async (name, query) => {
      const { lv } = await ctx.hosts.get(query.host);
      const vnc = await openVmVnc(lv, name);
      return consoleSession(vnc.stream, vnc.watch);
    },
  });
}
