import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { listOs, showOs } from '../../catalog/os-views.js';
import { EXPLAIN_NAME, explainOs } from '../../machines/explain-os.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { allowedModelPaths } from '../allowed-path.js';
import { ModelFields, modelOptionsOf } from '../model-schema.js';
import { HostQuery } from '../query.js';
import { Doc, Flag, replies, Strict } from '../schemas.js';

export const OsParams = Strict({
  id: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$',
    description: 'A profile id (windows-11) or an osinfo-db short id (win11); GET /api/os lists them',
  }),
});

const Decision = Type.Object(
  { topic: Type.String(), choice: Type.String(), reason: Type.String() },
  { additionalProperties: true },
);

/** The OS catalog: `phyllo os list`, `os show`, `os explain`. */
export function osRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/os',
    {
      schema: {
        summary:
          'The first-class OS profiles; with ?all=true every osinfo-db id too (as `phyllo os list --json`)',
        tags: ['os'],
        querystring: Strict({
          all: Flag('Also every osinfo-db short id (each mapped to its family profile)'),
        }),
        response: replies(
          Doc('As `phyllo os list --json`', {
            profiles: Type.Array(Doc('A profile: id, name, family, osinfo')),
            osinfo: Type.Optional(Type.Array(Doc('An osinfo-db entry: shortId, name, family'))),
          }),
        ),
      },
    },
    async (req) => listOs({ all: req.query.all === true }),
  );
  app.get(
    '/api/os/:id',
    {
      schema: {
        summary: 'The profile an OS id maps to, with osinfo-db’s facts (as `phyllo os show ID --json`)',
        tags: ['os'],
        params: OsParams,
        querystring: Strict({}),
        response: replies(
          Doc('As `phyllo os show ID --json`', {
            id: Type.String(),
            name: Type.String(),
            profile: Type.String(),
            minimum: Doc('Minimum resources'),
            recommended: Doc('Recommended resources'),
          }),
        ),
      },
    },
    async (req) => showOs(req.params.id).data,
  );
  app.get(
    '/api/os/:id/explain',
    {
      schema: {
        summary:
          'Every decision the model makes for this OS and these options on the host, with its reason (as `phyllo os explain ID --json`)',
        tags: ['os'],
        params: OsParams,
        querystring: Strict({ ...HostQuery.properties, ...ModelFields }),
        response: replies(
          Doc('As `phyllo os explain ID --json`', {
            os: Doc('The guest OS: requestedId, profile, name, notes'),
            decisions: Type.Array(Decision),
            warnings: Type.Array(Type.String()),
          }),
        ),
      },
    },
    async (req) => {
      const options = modelOptionsOf(EXPLAIN_NAME, req.params.id, req.query);
      const host = await ctx.hosts.get(req.query.host);
      const checked = allowedModelPaths(options, ctx.allowedDirs, remoteHostOf(host.uri) !== undefined);
      return (await explainOs(host.lv, checked, { onProgress: () => undefined })).explanation;
    },
  );
}
