import { Type } from 'typebox';
import { quiet } from '../quiet-facts.js';
import type { Api, ServerContext } from '../context.js';
import { InvalidInputError } from '../../errors.js';
import { createVmWithOs, previewVm, startCreatedVm } from '../../machines/create-from-request.js';
import { deleteVm } from '../../machines/delete-vm.js';
import { modelInput } from '../../machines/model-input.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { startVm } from '../../machines/vm-power.js';
import { allowedModelPaths } from '../allowed-path.js';
import { ModelFields, modelOptionsOf } from '../model-schema.js';
import { HostQuery, VmParams } from '../query.js';
import { Doc, Flag, replies, Strict } from '../schemas.js';
import { OsParams } from './os.js';

const CreateBody = Strict({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'The new VM’s name' }),
  os: Type.Optional({
    ...OsParams.properties.id,
    description: 'The OS (GET /api/os); without it, detected from iso',
  }),
  start: Flag('Start the VM once it is created (a failed start leaves it created, as `vm create --start`)'),
  ...ModelFields,
});

const Created = Doc('As `phyllo vm create NAME --json`', {
  name: Type.String(),
  uuid: Type.String(),
  xml: Type.String(),
  decisions: Type.Array(Doc('A decision: topic, choice, reason')),
  warnings: Type.Array(Type.String()),
  disk: Type.Optional(Type.String()),
  network: Type.Optional(Doc('What was done to its network: name, defined, started')),
  detected: Type.Optional(Doc('The OS detected from the installer medium')),
  state: Type.Optional(Type.String({ description: 'With start: the state it reached' })),
});

/** `phyllo vm create` and `phyllo vm delete`. */
export function vmCreateRoutes(app: Api, ctx: ServerContext): void {
  app.post(
    '/api/vms',
    {
      schema: {
        summary:
          'Create a VM from an OS (or an installer ISO to detect it from) and the model’s options: 201 with the result (as `phyllo vm create --json`); ?printXml=true answers the domain XML and defines nothing',
        tags: ['vms'],
        querystring: Strict({
          ...HostQuery.properties,
          printXml: Flag('Answer the model’s domain XML and decisions; define nothing (200)'),
        }),
        body: CreateBody,
        response: {
          ...replies(Created, 201),
          200: Doc('With ?printXml=true: as `phyllo vm create NAME --print-xml --json`', {
            name: Type.String(),
            xml: Type.String(),
            decisions: Type.Array(Doc('A decision')),
            warnings: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.os === undefined && b.iso === undefined)
        throw new InvalidInputError(
          'Which OS? Give "os" (an id from GET /api/os) or "iso" to detect it from the medium',
          {
            hint: 'e.g. {"name":"web","os":"linux"}',
          },
        );
      if (req.query.printXml === true && b.start === true)
        throw new InvalidInputError('printXml defines nothing, so there is nothing to start', {
          hint: 'Leave out ?printXml=true to create and start the VM, or "start" to only see the XML.',
        });
      const options = modelOptionsOf(b.name, b.os ?? '', b);
      const host = await ctx.hosts.get(req.query.host);
      const checked = allowedModelPaths(options, ctx.allowedDirs, remoteHostOf(host.uri) !== undefined);
      const input = await modelInput(host.lv, checked, { onProgress: quiet });
      if (req.query.printXml === true) return previewVm(host.lv, input.options, input.host);
      const vm = await createVmWithOs(host.lv, input.options, input.host);
      const started =
        b.start === true ? await startCreatedVm(vm, () => startVm(host.lv, vm.name)) : undefined;
      return reply
        .status(201)
        .header('location', `/api/vms/${encodeURIComponent(vm.name)}`)
        .send({ ...vm, ...(started ? { state: started.state } : {}) });
    },
  );
  app.delete(
    '/api/vms/:name',
    {
      schema: {
        summary:
          'Delete a VM: its definition, NVRAM, TPM state, snapshots and the disk images it owns (as `phyllo vm delete --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: Strict({
          ...HostQuery.properties,
          keepDisks: Flag('Keep every disk image'),
          force: Flag('Power a running VM off first instead of refusing'),
          deleteImages: Flag('Also delete images the VM was created on (vm create diskImage)'),
        }),
        response: replies(
          Doc('As `phyllo vm delete NAME --json`', {
            name: Type.String(),
            uuid: Type.String(),
            removed: Type.Array(Type.String()),
            kept: Type.Array(Doc('An image kept: path, why')),
            snapshots: Type.Array(Type.String()),
            poweredOff: Type.Boolean(),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return deleteVm(lv, req.params.name, {
        keepDisks: req.query.keepDisks === true,
        force: req.query.force === true,
        deleteImages: req.query.deleteImages === true,
      });
    },
  );
}
