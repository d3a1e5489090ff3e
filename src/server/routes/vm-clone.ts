import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { startJob } from '../../jobs/job.js';
import { checkClone, cloneVm, requireShutOff } from '../../machines/clone-vm.js';
import { VmParams } from '../query.js';
import { Flag, HostOnly, replies, Strict } from '../schemas.js';
import { JobView } from './jobs.js';

/** `phyllo vm clone` as a job. */
export function vmCloneRoutes(app: Api, ctx: ServerContext): void {
  app.post(
    '/api/vms/:name/clone',
    {
      schema: {
        summary:
          'Clone a shut-off VM as a job: 202 with the job (GET /api/jobs/{id}; its result as `phyllo vm clone --json`); cancelling it undoes everything',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          name: Type.String({ minLength: 1, maxLength: 200, description: 'The clone’s name' }),
          full: Flag('An independent copy of each disk instead of overlays on frozen images'),
          newTpm: Flag('A fresh TPM instead of a copy of the TPM state'),
        }),
        response: replies(JobView, 202),
      },
    },
    async (req, reply) => {
      const host = await ctx.hosts.get(req.query.host);
      const { name, full, newTpm } = req.body;
      // A bad or taken name, an unknown or running source: answered now (400/404/409), not as a failed job.
      await requireShutOff(await checkClone(host.lv, req.params.name, name), 'Cloning');
      const job = startJob('clone', (j) =>
        cloneVm(host.lv, req.params.name, name, {
          full: full === true,
          newTpm: newTpm === true,
          signal: j.signal,
          job: j,
        }),
      );
      return reply.status(202).send(ctx.jobs.add(job, { host: host.id, vm: req.params.name }));
    },
  );
}
