import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { InvalidInputError } from '../../errors.js';
import { editVm, vmDefinition } from '../../machines/edit-vm.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { setVm, type SetRequest } from '../../machines/set-vm.js';
import { upgradeDevices } from '../../machines/upgrade-devices.js';
import { changeMedia, type MediaRequest } from '../../machines/vm-media.js';
import { parseCount } from '../../model/options.js';
import { parseMemoryKiB } from '../../model/size.js';
import { allowedPath } from '../allowed-path.js';
import { ModelFields } from '../model-schema.js';
import { VmParams } from '../query.js';
import { Doc, Flag, HostOnly, OneOf, replies, Strict } from '../schemas.js';
import { checkEditedXml } from '../xml-policy.js';

const Change = Doc('One change: setting, value, applies (now or next-start), detail');

/** The XML a client sends is at most this long (the body limit is 1 MiB). */
const MAX_XML = 512 * 1024;

/** `phyllo vm set`, `vm media`, `vm edit` (as GET and PUT of the XML), `vm upgrade-devices`. */
export function vmConfigRoutes(app: Api, ctx: ServerContext): void {
  app.post(
    '/api/vms/:name/set',
    {
      schema: {
        summary:
          'Change memory, vCPUs or autostart: persistent, and live where libvirt allows (as `phyllo vm set --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          memory: ModelFields.memory,
          vcpus: ModelFields.vcpus,
          autostart: Flag('Start the VM with the host'),
        }),
        response: replies(
          Doc('As `phyllo vm set NAME --json`', {
            name: Type.String(),
            running: Type.Boolean(),
            changes: Type.Array(Change),
            warnings: Type.Array(Type.String()),
          }),
        ),
      },
    },
    async (req) => {
      const b = req.body;
      const set: SetRequest = {};
      if (b.memory !== undefined) set.memoryKiB = parseMemoryKiB(b.memory, 'memory');
      if (b.vcpus !== undefined) set.vcpus = parseCount('vcpus', b.vcpus);
      if (b.autostart !== undefined) set.autostart = b.autostart;
      if (Object.keys(set).length === 0)
        throw new InvalidInputError('Nothing to set: give memory, vcpus or autostart', {
          hint: 'e.g. {"memory":"8G","vcpus":4}',
        });
      const { lv } = await ctx.hosts.get(req.query.host);
      return setVm(lv, req.params.name, set);
    },
  );
  app.post(
    '/api/vms/:name/media',
    {
      schema: {
        summary:
          'Insert an ISO into a CD-ROM drive, or eject it: live on a running VM and in its definition (as `phyllo vm media --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          action: OneOf(['insert', 'eject'] as const, 'insert (needs path) or eject'),
          path: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 4096,
              description: 'The ISO to insert; in an allowed directory',
            }),
          ),
          target: Type.Optional(
            Type.String({
              pattern: '^[a-z]{1,8}$',
              description: 'The drive (sdb); default: the first empty one',
            }),
          ),
          addDrive: Flag('Add a SATA CD-ROM drive when the VM has none (shut off only)'),
        }),
        response: replies(
          Doc('As `phyllo vm media NAME … --json`', {
            name: Type.String(),
            target: Type.String(),
            source: Type.Optional(Type.String()),
            previous: Type.Optional(Type.String()),
            running: Type.Boolean(),
            applies: Type.String(),
            addedDrive: Type.Boolean(),
          }),
        ),
      },
    },
    async (req) => {
      const b = req.body;
      if (b.action === 'insert' && b.path === undefined)
        throw new InvalidInputError('insert needs the ISO: give "path"', {
          hint: 'e.g. {"action":"insert","path":"/var/lib/libvirt/images/virtio-win.iso"}',
        });
      if (b.action === 'eject' && b.path !== undefined)
        throw new InvalidInputError(`eject takes no path (got ${b.path})`, { hint: '{"action":"eject"}' });
      const host = await ctx.hosts.get(req.query.host);
      const media: MediaRequest = { action: b.action };
      if (b.path !== undefined)
        media.path = allowedPath(b.path, ctx.allowedDirs, 'path', remoteHostOf(host.uri) !== undefined);
      if (b.target !== undefined) media.target = b.target;
      if (b.addDrive === true) media.addDrive = true;
      return changeMedia(host.lv, req.params.name, media);
    },
  );
  app.get(
    '/api/vms/:name/xml',
    {
      schema: {
        summary:
          'The VM’s persistent domain XML, as `phyllo vm edit` opens it (inactive, with secrets and Phyllome’s metadata)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(Doc('The definition', { name: Type.String(), xml: Type.String() })),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return vmDefinition(lv, req.params.name);
    },
  );
  app.put(
    '/api/vms/:name/xml',
    {
      schema: {
        summary:
          'Replace the VM’s definition with an edited XML: defined with libvirt’s validation, only if libvirt accepts it (as `phyllo vm edit`); new paths must be in allowed directories',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          xml: Type.String({ minLength: 1, maxLength: MAX_XML, description: 'The whole domain XML' }),
        }),
        response: replies(
          Doc('As `phyllo vm edit NAME --json`', {
            name: Type.String(),
            changed: Type.Boolean(),
            running: Type.Boolean({ description: 'Running: the changes apply at its next start' }),
          }),
        ),
      },
    },
    async (req) => {
      const host = await ctx.hosts.get(req.query.host);
      const remote = remoteHostOf(host.uri) !== undefined;
      const edited = req.body.xml;
      const out = await editVm(host.lv, req.params.name, async (original) => {
        checkEditedXml(original, edited, ctx.allowedDirs, remote);
        return edited;
      });
      return { name: out.name, changed: out.changed, running: out.running };
    },
  );
  app.post(
    '/api/vms/:name/upgrade-devices',
    {
      schema: {
        summary:
          'Switch a shut-off VM’s SATA disks and e1000e NICs to virtio once the guest has the drivers, or undo that (as `phyllo vm upgrade-devices --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Type.Optional(Strict({ undo: Flag('Put back the devices from before the last upgrade') })),
        response: replies(
          Doc('As `phyllo vm upgrade-devices NAME --json`', {
            name: Type.String(),
            changes: Type.Array(Doc('A device: device, id, from, to')),
            undone: Type.Boolean(),
            precondition: Type.String(),
            reason: Type.String(),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return upgradeDevices(lv, req.params.name, { undo: req.body?.undo === true });
    },
  );
}
