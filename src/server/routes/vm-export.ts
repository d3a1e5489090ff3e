import { PassThrough, type Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { startJob } from '../../jobs/job.js';
import { bundleCompression } from '../../bundle/compression.js';
import { EXPORT_PHASE_WORDS, exportVm } from '../../bundle/export-vm.js';
import { requireShutOff } from '../../machines/clone-vm.js';
import { findVm } from '../../machines/find-vm.js';
import { attachment, bundleFileName } from '../attachment.js';
import { cancelWhenClientGoes } from '../client-gone.js';
import { ErrorBody, HostQuery, VmParams } from '../query.js';
import { OneOf, Strict } from '../schemas.js';

/** The header naming the job that makes a download (for GET /api/jobs/{id} and its cancel). */
export const JOB_HEADER = 'x-phyllome-job';

/**
 * `phyllo vm export NAME -` as a download: the bundle is the response body, made as it is sent (no
 * file on the server). The export runs as a job: its progress in GET /api/jobs, a cancel there
 * (or the client going away) stops it and the response is cut, so a client never takes a part for a
 * whole bundle.
 */
export function vmExportRoutes(app: Api, ctx: ServerContext & { version: string }): void {
  app.get(
    '/api/vms/:name/export',
    {
      schema: {
        summary:
          'Export a shut-off VM as a bundle download (as `phyllo vm export NAME -`): 200 with the bundle as the body, its job in X-Phyllome-Job; an unknown or running VM is refused before any byte',
        tags: ['vms'],
        params: VmParams,
        querystring: Strict({
          ...HostQuery.properties,
          compress: Type.Optional(OneOf(['zstd', 'none'] as const, 'The zstd layer (default) or none')),
        }),
        response: {
          200: {
            description: 'The bundle (docs/bundle-format.md), named NAME.phyllo.tar[.zst]',
            content: {
              'application/octet-stream': {
                schema: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }),
              },
            },
          },
          '4xx': ErrorBody,
          '5xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const host = await ctx.hosts.get(req.query.host);
      const name = req.params.name;
      // An unknown or running VM: answered now (404/409), not as a cut download.
      await requireShutOff(await findVm(host.lv, name), 'Exporting');
      const zstd = req.query.compress !== 'none';
      const body = new PassThrough({ highWaterMark: 4 << 20 });
      const job = startJob('export', (j) =>
        exportVm(host.lv, name, '-', {
          phyllomeVersion: ctx.version,
          ...(zstd ? { compression: bundleCompression() } : {}),
          signal: j.signal,
          progress: (done, total, phase) => j.progress(EXPORT_PHASE_WORDS[phase], done, total, 'bytes'),
          stream: body,
        }),
      );
      const view = ctx.jobs.add(job, { host: host.id, vm: name });
      // A failure destroys the body: before its first byte Fastify answers the error in the API's
      // shape (the export's own refusals, such as a VM busy with another operation); after, it cuts
      // the response.
      job.result.then(
        () => body.end(),
        (err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))),
      );
      cancelWhenClientGoes(reply, job);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', attachment(bundleFileName(name, zstd)))
        .header('cache-control', 'no-store')
        .header(JOB_HEADER, view.id)
        .send(body);
    },
  );
}
