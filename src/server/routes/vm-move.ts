import { Type } from 'typebox';
import { modelHostFacts } from '../quiet-facts.js';
import type { Api, ServerContext } from '../context.js';
import { startJob } from '../../jobs/job.js';
import { connect } from '../../libvirt/index.js';
import { checkMove, MOVE_PHASE_WORDS, moveVm } from '../../bundle/move-vm.js';
import { requireShutOff } from '../../machines/clone-vm.js';
import { findVm } from '../../machines/find-vm.js';
import { HostQuery, VmParams } from '../query.js';
import { Flag, HostOnly, replies, Strict } from '../schemas.js';
import { JobView } from './jobs.js';

/** `phyllo vm move` between two hosts this server is connected to, as a job. */
export function vmMoveRoutes(app: Api, ctx: ServerContext & { version: string }): void {
  app.post(
    '/api/vms/:name/move',
    {
      schema: {
        summary:
          'Move a shut-off VM to another connected host as a job: 202 with the job (its result as `phyllo vm move --json`); the source is removed only once the VM is whole there',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          to: { ...HostQuery.properties.host, description: 'The destination: a host id from GET /api/hosts' },
          keepSource: Flag('Leave the VM on the source host too (a copy with the same UUID there)'),
          pool: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'The destination’s storage pool for the disk',
            }),
          ),
        }),
        response: replies(JobView, 202),
      },
    },
    async (req, reply) => {
      const name = req.params.name;
      const src = await ctx.hosts.get(req.query.host);
      const dst = await ctx.hosts.get(req.body.to);
      // An unknown or running VM, the same host at both ends, the name taken there: answered now.
      await requireShutOff(await findVm(src.lv, name), 'Moving');
      await checkMove(src.lv, dst.lv, name);
      const { keepSource, pool } = req.body;
      const job = startJob('move', async (j) => {
        j.progress('host facts', 0);
        const facts = await modelHostFacts(dst.lv);
        return moveVm(src.lv, dst.lv, name, facts, {
          phyllomeVersion: ctx.version,
          keepSource: keepSource === true,
          ...(pool !== undefined ? { pool } : {}),
          signal: j.signal,
          // What a cut connection kept the import from taking back there goes over a new one.
          reopenDestination: () => connect(dst.uri),
          progress: (done, total, phase) => j.progress(MOVE_PHASE_WORDS[phase], done, total, 'bytes'),
        });
      });
      return reply.status(202).send(ctx.jobs.add(job, { host: src.id, vm: name }));
    },
  );
}
