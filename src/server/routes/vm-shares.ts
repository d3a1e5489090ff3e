import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { addShare, listShares, removeShare } from '../../devices/share.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { allowedPath } from '../allowed-path.js';
import { VmParams } from '../query.js';
import { Doc, Flag, HostOnly, replies, Strict } from '../schemas.js';
import { DeviceChangeDoc } from './vm-devices.js';

const TagParams = Strict({
  ...VmParams.properties,
  tag: Type.String({ minLength: 1, maxLength: 36, description: 'The share’s tag' }),
});

/**
 * `phyllo vm share`: virtiofs shared folders (docs/devices.md). The directory must lie inside the
 * server's allowed directories (`phyllo serve --allow-dir`), as every path a request names: a client
 * cannot hand a guest /etc.
 */
export function vmShareRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/vms/:name/shares',
    {
      schema: {
        summary: 'The VM’s shared folders (as `phyllo vm share list NAME --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm share list NAME --json`', {
            vm: Type.String(),
            running: Type.Boolean(),
            shares: Type.Array(Doc('A share: tag, dir, readonly, driver, live')),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return listShares(lv, req.params.name);
    },
  );
  app.post(
    '/api/vms/:name/shares',
    {
      schema: {
        summary:
          'Share a host directory (inside the allowed directories) with the guest over virtiofs (as `phyllo vm share NAME DIR --tag TAG --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          dir: Type.String({ minLength: 1, maxLength: 4096, description: 'The host directory (absolute)' }),
          tag: Type.String({
            minLength: 1,
            maxLength: 36,
            description: 'As `--tag`: the name the guest mounts',
          }),
          readonly: Flag('As `--readonly`'),
        }),
        response: replies(
          DeviceChangeDoc('As `phyllo vm share --json`: `share`, `mount`, `sharedMemoryAdded`, `warnings`'),
        ),
      },
    },
    async (req) => {
      const host = await ctx.hosts.get(req.query.host);
      const dir = allowedPath(req.body.dir, ctx.allowedDirs, 'dir', remoteHostOf(host.uri) !== undefined);
      return addShare(host.lv, req.params.name, { ...req.body, dir });
    },
  );
  app.delete(
    '/api/vms/:name/shares/:tag',
    {
      schema: {
        summary: 'Stop sharing a folder, by its tag (as `phyllo vm share remove NAME TAG --json`)',
        tags: ['devices'],
        params: TagParams,
        querystring: HostOnly,
        response: replies(DeviceChangeDoc('As `phyllo vm share remove --json`: `removed`')),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return removeShare(lv, req.params.name, req.params.tag);
    },
  );
}
