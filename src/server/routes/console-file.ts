import type { Api, ServerContext } from '../context.js';
import { ErrorBody, HostQuery, VmParams } from '../query.js';
import { vmConnectionFile } from '../../machines/display-file.js';
import { Type } from 'typebox';

/**
 * `GET /api/vms/{name}/console.vv`: remote-viewer's connection file for a VM whose display the
 * VNC console proxy cannot carry (SPICE), or for anyone who prefers remote-viewer. It names the display's
 * address and port, never a password.
 */
export function consoleFileRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/vms/:name/console.vv',
    {
      schema: {
        summary: 'remote-viewer’s connection file (.vv) for the VM’s SPICE (or VNC) display',
        description:
          'A `[virt-viewer]` key file: type, host, port (and tls-port). 409 when the VM is not running or its ' +
          'display has no port (a UNIX socket: use GET /api/vms/{name}/vnc). A remote host’s loopback ' +
          'display keeps 127.0.0.1, with the ssh -L tunnel that reaches it as a comment.',
        tags: ['consoles'],
        params: VmParams,
        querystring: HostQuery,
        response: {
          200: {
            description: 'The .vv file',
            content: { 'application/x-virt-viewer': { schema: Type.String() } },
          },
          '4xx': ErrorBody,
          '5xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      const file = await vmConnectionFile(lv, req.params.name);
      return reply
        .type('application/x-virt-viewer')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .send(file.text);
    },
  );
}
