import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { createSnapshot, deleteSnapshot, listSnapshots, revertSnapshot } from '../../machines/snapshot-vm.js';
import { VmParams } from '../query.js';
import { Doc, HostOnly, replies, Strict } from '../schemas.js';

const SnapParams = Strict({
  ...VmParams.properties,
  snap: Type.String({ minLength: 1, maxLength: 200, description: 'The snapshot’s name' }),
});

const Snapshot = Doc('A snapshot, as in `phyllo vm snapshot list --json`', {
  name: Type.String(),
  created: Type.String(),
  disks: Type.Array(Doc('A frozen disk: target, image')),
  nvram: Type.Boolean(),
  tpm: Type.Boolean(),
});

/** `phyllo vm snapshot list|create|revert|delete`: snapshots of shut-off VMs (docs/snapshots.md). */
export function vmSnapshotRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/vms/:name/snapshots',
    {
      schema: {
        summary: 'The VM’s snapshots (as `phyllo vm snapshot list NAME --json`)',
        tags: ['snapshots'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm snapshot list NAME --json`', {
            vm: Type.String(),
            snapshots: Type.Array(Snapshot),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return { vm: req.params.name, snapshots: await listSnapshots(lv, req.params.name) };
    },
  );
  app.post(
    '/api/vms/:name/snapshots',
    {
      schema: {
        summary:
          'Snapshot a shut-off VM: its disks frozen, its UEFI variables and TPM state copied (201, as `phyllo vm snapshot create --json`)',
        tags: ['snapshots'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          name: Type.String({ minLength: 1, maxLength: 200, description: 'The snapshot’s name' }),
        }),
        response: replies(Snapshot, 201),
      },
    },
    async (req, reply) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      const snap = await createSnapshot(lv, req.params.name, req.body.name);
      return reply
        .status(201)
        .header(
          'location',
          `/api/vms/${encodeURIComponent(req.params.name)}/snapshots/${encodeURIComponent(snap.name)}`,
        )
        .send(snap);
    },
  );
  app.post(
    '/api/vms/:name/snapshots/:snap/revert',
    {
      schema: {
        summary:
          'Put a shut-off VM back to a snapshot: disks, UEFI variables, TPM (as `phyllo vm snapshot revert --json`)',
        tags: ['snapshots'],
        params: SnapParams,
        querystring: HostOnly,
        response: replies(Snapshot),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return revertSnapshot(lv, req.params.name, req.params.snap);
    },
  );
  app.delete(
    '/api/vms/:name/snapshots/:snap',
    {
      schema: {
        summary:
          'Delete a snapshot; its frozen layer is merged away when nothing else stands on it (as `phyllo vm snapshot delete --json`)',
        tags: ['snapshots'],
        params: SnapParams,
        querystring: HostOnly,
        response: replies(
          Doc('The snapshot deleted, and the images merged', {
            name: Type.String(),
            merged: Type.Array(Type.String()),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return deleteSnapshot(lv, req.params.name, req.params.snap);
    },
  );
}
