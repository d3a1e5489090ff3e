import { Type } from 'typebox';
import { modelHostFacts } from '../quiet-facts.js';
import type { Api, ServerContext } from '../context.js';
import { startJob } from '../../jobs/job.js';
import { importVm } from '../../bundle/import-vm.js';
import {
  answerImport,
  checkNewName,
  PoolParam,
  rawUploadScope,
  uploadOf,
  UPLOAD_TYPE as BUNDLE_TYPE,
} from '../raw-upload.js';
import { HostQuery } from '../query.js';
import { Doc, replies, Strict } from '../schemas.js';

export const Imported = Doc('As `phyllo vm import FILE --json`', {
  name: Type.String(),
  uuid: Type.String(),
  disk: Type.Optional(Type.String()),
  disks: Type.Optional(
    Type.Array(Type.String(), { description: 'Every disk, the first first, when it has several' }),
  ),
  nvram: Type.Optional(Type.String()),
  tpmState: Type.Optional(Type.String()),
  changes: Type.Array(Type.String({ description: 'What differs between the source host and this one' })),
  decisions: Type.Array(Doc('A decision: topic, choice, reason')),
  warnings: Type.Array(Type.String()),
});

/**
 * `phyllo vm import -` with the bundle as the request body: read as it arrives (never buffered, no
 * size limit on this route alone), every entry checked before anything is defined, as the CLI does.
 * It runs as a job (GET /api/jobs shows it); the answer comes when it is done: 201 with the imported
 * VM, or the error. A client that goes away mid-upload cancels it, and the import's undo removes
 * what it had made.
 */
export async function vmImportRoutes(app: Api, ctx: ServerContext): Promise<void> {
  await rawUploadScope(app, (raw) => {
    raw.post(
      '/api/vms/import',
      {
        config: {
          documentedBody: {
            contentType: BUNDLE_TYPE,
            description: 'The bundle (docs/bundle-format.md), zstd-compressed or not, as the raw body',
          },
        },
        schema: {
          summary:
            'Import a bundle sent as the raw request body (application/octet-stream) into a new VM, as a job: 201 with the VM when done (as `phyllo vm import --json`); nothing is left when it fails or the upload stops',
          tags: ['vms'],
          querystring: Strict({
            ...HostQuery.properties,
            name: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'The new VM’s name (a new UUID and MAC addresses with it); default the bundle’s',
              }),
            ),
            pool: PoolParam,
          }),
          response: replies(Imported, 201),
        },
      },
      async (req, reply) => {
        const host = await ctx.hosts.get(req.query.host);
        const { name, pool } = req.query;
        // A bad or taken name is answered before the upload is read.
        await checkNewName(host.lv, name);
        // A cut upload is the import's error (its read fails) and the client-gone cancel below.
        const upload = uploadOf(
          req.body,
          'the bundle',
          `curl -H "Content-Type: ${BUNDLE_TYPE}" --data-binary @web.phyllo.tar.zst "$A/api/vms/import"`,
        );
        const job = startJob('import', async (j) =>
          importVm(
            host.lv,
            // Not destroyed when the import stops early: what is left is drained below, so the
            // client finishes sending and reads the refusal.
            upload.iterator({ destroyOnReturn: false }),
            await modelHostFacts(host.lv),
            {
              ...(name !== undefined ? { name } : {}),
              ...(pool !== undefined ? { pool } : {}),
              signal: j.signal,
              progress: (done, total) => j.progress('bundle data', done, total, 'bytes'),
            },
          ),
        );
        ctx.jobs.add(job, { host: host.id, ...(name !== undefined ? { vm: name } : {}) });
        return answerImport(reply, job, upload);
      },
    );
  });
}
