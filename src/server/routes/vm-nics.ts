import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { addNic, listNics, removeNic } from '../../devices/nic.js';
import { VmParams } from '../query.js';
import { Doc, HostOnly, OneOf, replies, Strict } from '../schemas.js';
import { DeviceChangeDoc } from './vm-devices.js';

const NicParams = Strict({
  ...VmParams.properties,
  nic: Type.String({ minLength: 1, maxLength: 32, description: 'The card’s MAC address or its index' }),
});

/** `phyllo vm nic add|list|remove`: extra network cards (docs/devices.md). */
export function vmNicRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/vms/:name/nics',
    {
      schema: {
        summary: 'The VM’s network cards (as `phyllo vm nic list NAME --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm nic list NAME --json`', {
            vm: Type.String(),
            running: Type.Boolean(),
            nics: Type.Array(Doc('A card: index, type, source, model, mac, live')),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return listNics(lv, req.params.name);
    },
  );
  app.post(
    '/api/vms/:name/nics',
    {
      schema: {
        summary:
          'Add a network card on a libvirt network (default: `default`) or a host bridge; hot-plugged when the VM runs (as `phyllo vm nic add --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          network: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, description: 'As `--network`' }),
          ),
          bridge: Type.Optional(Type.String({ minLength: 1, maxLength: 15, description: 'As `--bridge`' })),
          model: Type.Optional(OneOf(['virtio', 'e1000e'] as const, 'As `--model` (default virtio)')),
          mac: Type.Optional(Type.String({ minLength: 1, maxLength: 17, description: 'As `--mac`' })),
        }),
        response: replies(DeviceChangeDoc('As `phyllo vm nic add --json`: `nic`, `warnings`')),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return addNic(lv, req.params.name, req.body);
    },
  );
  app.delete(
    '/api/vms/:name/nics/:nic',
    {
      schema: {
        summary: 'Remove a network card by MAC address or index (as `phyllo vm nic remove --json`)',
        tags: ['devices'],
        params: NicParams,
        querystring: HostOnly,
        response: replies(DeviceChangeDoc('As `phyllo vm nic remove --json`: `removed`')),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return removeNic(lv, req.params.name, req.params.nic);
    },
  );
}
