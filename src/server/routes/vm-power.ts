import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { HostQuery, VmParams } from '../query.js';
import { Doc, replies } from '../schemas.js';
import { listVms } from '../../machines/vm-list.js';
import { Coalescer } from '../coalesce.js';
import type { ListedVm, VmListCache } from '../vm-list-cache.js';
import { vmInfoReport } from '../../machines/vm-info-report.js';
import { powerVm, setVmAutostart, startVm } from '../../machines/vm-power.js';
import { shutdownVm, DEFAULT_SHUTDOWN_TIMEOUT_S } from '../../machines/shutdown-vm.js';
import { JobView } from './jobs.js';
import { findVm } from '../../machines/find-vm.js';
import { refusal } from '../../machines/power-rules.js';

const PowerResult = Type.Object({
  name: Type.String(),
  operation: Type.String(),
  state: Type.String(),
});

export function vmPowerRoutes(app: Api, ctx: ServerContext, vmList?: VmListCache): void {
  // The list with a CPU sample is read when asked: however many clients ask at once, one list per host
  // runs (and one waits), so its cost is bounded. Without it, the list comes from memory (vmList).
  const lists = new Coalescer<ListedVm[]>();
  app.get(
    '/api/vms',
    {
      schema: {
        summary:
          'Every VM: state, OS, vCPUs, memory, disk use, uptime (as `phyllo vm list --json`), and `statsAt`: when its counters were read',
        tags: ['vms'],
        querystring: Type.Object({
          ...HostQuery.properties,
          cpu: Type.Optional(Type.Boolean({ description: 'Sample CPU % over half a second' })),
        }),
        response: replies(Type.Array(Doc('One VM, as in `phyllo vm list --json`'))),
      },
    },
    async (req, reply) => {
      const host = await ctx.hosts.get(req.query.host);
      const cpu = req.query.cpu === true;
      // Text already in JSON: sent as it is (each VM's JSON is kept between its changes).
      if (vmList && !cpu)
        return reply.type('application/json; charset=utf-8').send(await vmList.listJson(host));
      return lists.run(`${host.id}\n${cpu}`, async () => {
        const vms = await listVms(host.lv, cpu ? { cpuSampleMs: 500 } : {});
        const statsAt = new Date().toISOString();
        return vms.map((v) => ({ ...v, statsAt }));
      });
    },
  );
  app.get(
    '/api/vms/:name',
    {
      schema: {
        summary:
          'One VM: the model’s choices with reasons, devices, disks, display, state files, snapshots, clones',
        tags: ['vms'],
        params: VmParams,
        querystring: HostQuery,
        response: replies(
          Doc('As `phyllo vm info NAME --json`', {
            name: Type.String(),
            uuid: Type.String(),
            state: Type.String(),
            autostart: Type.Boolean({ description: 'Whether libvirt starts the VM when its daemon starts' }),
            domainType: Type.String(),
            summary: Doc('As its entry in `phyllo vm list --json`'),
            disks: Type.Array(Doc('A disk: target, device, source, allocation, backing chain')),
            displays: Type.Array(Doc('A display: type, listen, address, note')),
            model: Doc('The model’s choices, re-derived, or why not'),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return vmInfoReport(lv, req.params.name);
    },
  );
  const power = (op: 'start' | 'kill' | 'reboot' | 'pause' | 'resume', summary: string) =>
    app.post(
      `/api/vms/:name/${op}`,
      {
        schema: {
          summary,
          tags: ['vms'],
          params: VmParams,
          querystring: HostQuery,
          response: replies(PowerResult),
        },
      },
      async (req) => {
        const { lv } = await ctx.hosts.get(req.query.host);
        return op === 'start' ? startVm(lv, req.params.name) : powerVm(lv, req.params.name, op);
      },
    );
  power('start', 'Start a VM (a failure carries the diagnosis, as `phyllo vm start`)');
  power('kill', 'Power a VM off at once');
  power('reboot', 'Reboot a running VM (ACPI)');
  power('pause', 'Pause a running VM');
  power('resume', 'Resume a paused VM');
  app.post(
    '/api/vms/:name/autostart',
    {
      schema: {
        summary: 'Start the VM with the host, or not',
        tags: ['vms'],
        params: VmParams,
        querystring: HostQuery,
        body: Type.Object({ on: Type.Boolean() }, { additionalProperties: false }),
        response: replies(
          Type.Object({
            name: Type.String(),
            operation: Type.String(),
            state: Type.String(),
            autostart: Type.Boolean(),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return setVmAutostart(lv, req.params.name, req.body.on);
    },
  );
  app.post(
    '/api/vms/:name/shutdown',
    {
      schema: {
        summary:
          'ACPI shutdown as a job: 202 with the job; it ends when the VM is shut off (or at the timeout)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostQuery,
        body: Type.Optional(
          Type.Object(
            {
              timeout: Type.Optional(
                Type.Integer({ minimum: 1, maximum: 3600, default: DEFAULT_SHUTDOWN_TIMEOUT_S }),
              ),
              force: Type.Optional(Type.Boolean({ description: 'Power off when the timeout passes' })),
            },
            { additionalProperties: false },
          ),
        ),
        response: replies(JobView, 202),
      },
    },
    async (req, reply) => {
      const host = await ctx.hosts.get(req.query.host);
      // Unknown VM or a state that cannot shut down: answered now (404/409), not as a failed job.
      const dom = await findVm(host.lv, req.params.name);
      const refused = refusal(dom.name, 'shutdown', (await dom.state()).state);
      if (refused) throw refused;
      const job = shutdownVm(host.lv, req.params.name, {
        timeoutS: req.body?.timeout ?? DEFAULT_SHUTDOWN_TIMEOUT_S,
        force: req.body?.force === true,
      });
      return reply.status(202).send(ctx.jobs.add(job, { host: host.id, vm: req.params.name }));
    },
  );
}
