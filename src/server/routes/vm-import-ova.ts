import { Type } from 'typebox';
import { modelHostFacts } from '../quiet-facts.js';
import type { Api, ServerContext } from '../context.js';
import { startJob } from '../../jobs/job.js';
import { importOva } from '../../bundle/ova/import-ova.js';
import {
  answerImport,
  checkNewName,
  PoolParam,
  rawUploadScope,
  uploadOf,
  UPLOAD_TYPE,
} from '../raw-upload.js';
import { HostQuery } from '../query.js';
import { Doc, replies, Strict } from '../schemas.js';

export const ImportedOva = Doc('As `phyllo vm import-ova FILE --json`', {
  name: Type.String(),
  uuid: Type.String(),
  disk: Type.String(),
  source: Doc('What the OVA says it is: vendor, name, OS type', {}),
  os: Doc('The guest profile it got, and why', {}),
  memoryMiB: Type.Number(),
  vcpus: Type.Number(),
  firmware: Type.String(),
  secureBoot: Type.Boolean(),
  tpm: Type.Boolean(),
  manifestChecked: Type.Boolean({ description: 'The OVA had a manifest (.mf), so every file was checked' }),
  changes: Type.Array(Type.String({ description: 'Where the VM differs from the one the OVA describes' })),
  notCarried: Type.Array(Doc('What could not be carried over: kind, detail', {})),
  decisions: Type.Array(Doc('A decision: topic, choice, reason')),
  warnings: Type.Array(Type.String()),
});

/**
 * `phyllo vm import-ova` with the .ova as the request body, read as it arrives (VirtualBox and
 * VMware put the descriptor first): every file checked against the OVA's manifest, the disk
 * converted, and the VM defined, as the CLI does; the answer comes when it is done, 201 with the VM
 * or the error. A client that goes away cancels it and nothing is left.
 */
export async function vmImportOvaRoutes(app: Api, ctx: ServerContext): Promise<void> {
  await rawUploadScope(app, (raw) => {
    raw.post(
      '/api/vms/import-ova',
      {
        config: {
          documentedBody: {
            contentType: UPLOAD_TYPE,
            description: 'The .ova file VirtualBox or VMware exported, as the raw body',
          },
        },
        schema: {
          summary:
            'Import an OVA (VirtualBox, VMware) sent as the raw request body into a new VM, as a job: 201 with the VM when done (as `phyllo vm import-ova --json`), with what could not be carried over; nothing is left when it fails or the upload stops',
          tags: ['vms'],
          querystring: Strict({
            ...HostQuery.properties,
            name: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'The new VM’s name (and a new MAC address); default the appliance’s',
              }),
            ),
            os: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'A guest profile or osinfo-db id instead of the one the OVF’s OS type maps to',
              }),
            ),
            pool: PoolParam,
          }),
          response: replies(ImportedOva, 201),
        },
      },
      async (req, reply) => {
        const host = await ctx.hosts.get(req.query.host);
        const { name, os, pool } = req.query;
        await checkNewName(host.lv, name);
        const upload = uploadOf(
          req.body,
          'the .ova file',
          `curl -H "Content-Type: ${UPLOAD_TYPE}" --data-binary @debian.ova "$A/api/vms/import-ova"`,
        );
        const length = Number(req.headers['content-length']);
        const job = startJob('import-ova', async (j) =>
          importOva(
            host.lv,
            {
              stream: upload.iterator({ destroyOnReturn: false }),
              ...(Number.isSafeInteger(length) && length > 0 ? { size: length } : {}),
            },
            await modelHostFacts(host.lv),
            {
              ...(name !== undefined ? { name } : {}),
              ...(os !== undefined ? { os } : {}),
              ...(pool !== undefined ? { pool } : {}),
              signal: j.signal,
              progress: (phase, done, total) => j.progress(phase, done, total, 'bytes'),
            },
          ),
        );
        ctx.jobs.add(job, { host: host.id, ...(name !== undefined ? { vm: name } : {}) });
        return answerImport(reply, job, upload);
      },
    );
  });
}
