import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { HostQuery } from '../query.js';
import { openVmConsole } from '../../machines/open-vm-console.js';
import { consoleRoute } from './console-route.js';
import { consoleSession } from './session.js';

/**
 * `GET /api/vms/{name}/serial`: the VM's serial console for xterm.js, the same libvirt console stream
 * as `phyllo vm console`: the guest's bytes in binary frames, the client's keys in binary or text
 * frames. One holder at a time, as libvirt keeps it; `?force=true` takes it over from another one.
 */
export function serialProxyRoutes(app: Api, ctx: ServerContext): void {
  consoleRoute(app, {
    url: '/api/vms/:name/serial',
    kind: 'serial',
    summary: 'The VM’s serial console for xterm.js: a WebSocket carrying its bytes',
    description:
      'Upgrade to a WebSocket; the guest’s output comes in binary frames, input goes in binary or text frames. ' +
      'Errors before the upgrade have the API’s error shape: 404 unknown VM, 409 not running or the console held by ' +
      'another session (take it over with ?force=true). Closes with 1000 "vm-stopped" when the VM stops, ' +
      '1000 "console-closed" when the stream ends without the VM stopping (e.g. taken over with ?force=true).',
    querystring: Type.Object({
      ...HostQuery.properties,
      force: Type.Optional(
        Type.Boolean({ description: 'Take the console over from the session holding it (as --force)' }),
      ),
    }),
    open: async (name, query) => {
      const { lv } = await ctx.hosts.get(query.host);
      const c = await openVmConsole(lv, name, { force: query.force === true });
      return consoleSession(c.stream, c.watch);
    },
  });
}
