/**
 * GET /api/openapi.json, built when it is first asked for. @fastify/swagger (and the YAML library and
 * JSON-schema resolver it loads) would otherwise sit in every server's memory from the start, for a
 * document most servers never serve (issue 9 weighs `phyllo serve` against the cockpit stack). The
 * routes are recorded as they are registered; the first request replays them, schemas and all, into a
 * throwaway Fastify instance with @fastify/swagger, takes its document and closes it. The document is
 * kept, as its JSON text, for the next requests: the routes do not change once the server listens.
 */
import Fastify, { type RouteOptions } from 'fastify';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { Api } from './context.js';
import { noResponseSerializers, noValidators } from './schema-compilers.js';
import { serverRequire } from './server-require.js';

type Recorded = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

/** A request body the document shows but Fastify does not validate (a raw upload, passed on as a stream). */
export interface DocumentedBody {
  /** Its media type, as the route's content-type parser takes it. */
  contentType: string;
  description: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body of a route without a body schema, for the OpenAPI document only. */
    documentedBody?: DocumentedBody;
  }
}

/** The schema the document is built from: a documented raw body becomes its request body. */
function documentedSchema(r: Recorded): RouteOptions['schema'] {
  const body = (r.config as { documentedBody?: DocumentedBody } | undefined)?.documentedBody;
  if (!body) return r.schema;
  return {
    ...r.schema,
    body: { type: 'string', format: 'binary', description: body.description },
    consumes: [body.contentType],
  };
}

function swaggerOptions(version: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Phyllome API', version },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'phyllome_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  };
}

/** The document of the routes recorded so far, as @fastify/swagger makes it. */
async function buildDocument(routes: Recorded[], version: string): Promise<string> {
  // require, not import(): the bundle runs as a vm.Script (src/cli/start.ts), which has no import().
  const swagger = serverRequire('@fastify/swagger') as typeof import('@fastify/swagger');
  // Nothing is validated or serialized here: the schemas only have to be read.
  const doc = Fastify({
    logger: false,
    schemaController: {
      compilersFactory: { buildValidator: noValidators(), buildSerializer: noResponseSerializers(String) },
    },
  });
  try {
    await doc.register(swagger.default, swaggerOptions(version));
    for (const r of routes) doc.route({ ...r, handler: () => undefined });
    await doc.ready();
    return JSON.stringify(doc.swagger());
  } finally {
    await doc.close();
  }
}

/**
 * Records every route registered on `app` from now on (call it before the routes), and adds
 * GET /api/openapi.json (hidden from the document itself, as it always was).
 */
export function openApiRoute(app: Api, version: string): void {
  const routes: Recorded[] = [];
  app.addHook('onRoute', (r) => {
    // @fastify/swagger leaves out the HEAD routes Fastify adds for each GET; the throwaway instance
    // adds its own, and leaves them out the same way.
    if (r.method === 'HEAD') return;
    routes.push({ method: r.method, url: r.url, schema: documentedSchema(r), config: r.config });
  });
  let document: Promise<string> | undefined;
  app.get('/api/openapi.json', { schema: { hide: true } }, async (_req, reply) => {
    document ??= buildDocument(routes, version).catch((err: unknown) => {
      document = undefined; // asked again, built again
      throw err;
    });
    return reply.type('application/json; charset=utf-8').send(await document);
  });
}
