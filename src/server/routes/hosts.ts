import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { ErrorBody } from '../query.js';

export const HostSummary = Type.Object({
  id: Type.String(),
  uri: Type.String(),
  connected: Type.Boolean(),
});

export function hostRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/hosts',
    {
      schema: {
        summary: 'The libvirt hosts this server speaks for (the first is the default for ?host=)',
        tags: ['hosts'],
        response: { 200: Type.Array(HostSummary), '4xx': ErrorBody },
      },
    },
    async () => ctx.hosts.list(),
  );
}
