import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { ErrorBody } from '../query.js';

export const JobView = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    host: Type.String(),
    vm: Type.Optional(Type.String()),
    state: Type.Union([
      Type.Literal('running'),
      Type.Literal('done'),
      Type.Literal('failed'),
      Type.Literal('cancelled'),
    ]),
    progress: Type.Object(
      {
        phase: Type.String(),
        done: Type.Number(),
        total: Type.Optional(Type.Number()),
        unit: Type.String(),
        rate: Type.Optional(Type.Number()),
      },
      { additionalProperties: true },
    ),
    startedAt: Type.String(),
    endedAt: Type.Optional(Type.String()),
    result: Type.Optional(Type.Unknown()),
    error: Type.Optional(ErrorBody.properties.error),
  },
  { $id: 'Job' },
);

const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export function jobRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/jobs',
    {
      schema: {
        summary: 'Jobs this server runs or ran (full clones, shutdown waits, copies)',
        tags: ['jobs'],
        response: { 200: Type.Array(JobView), '4xx': ErrorBody },
      },
    },
    async () => ctx.jobs.list(),
  );
  app.get(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'One job: its phase, progress, rate and, when it ended, its result or error',
        tags: ['jobs'],
        params: JobParams,
        response: { 200: JobView, '4xx': ErrorBody },
      },
    },
    async (req) => ctx.jobs.get(req.params.id),
  );
  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a running job; what it made is undone',
        tags: ['jobs'],
        params: JobParams,
        response: { 202: JobView, '4xx': ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(ctx.jobs.cancel(req.params.id)),
  );
}
