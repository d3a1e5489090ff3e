import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { jsonReplacer } from '../json.js';
import { InvalidInputError } from '../errors.js';
import { registerAuth, type AuthOptions } from './auth/plugin.js';
import type { Api, ServerContext } from './context.js';
import { httpError } from './http-errors.js';
import { openApiRoute } from './openapi.js';
import { PhyllomeError } from '../errors.js';
import { routes } from './routes/index.js';
import { wantsPage, webUi } from './web-ui.js';
import { lazyAjvValidators, noResponseSerializers } from './schema-compilers.js';
import { validationMessage, type AjvError } from './validation-message.js';

export interface BuildOptions extends ServerContext {
  auth: AuthOptions;
  /** Fastify's logger options (JSON lines); false in tests that do not read the log. */
  logger?: FastifyServerOptions['logger'];
  https?: { cert: Buffer; key: Buffer };
  version: string;
  /** The built web UI's folder (default dist/web). */
  webRoot?: string;
}

class RouteNotFoundError extends PhyllomeError {
  override name = 'RouteNotFoundError';
  constructor(method: string, url: string) {
    super('route-not-found', `No route ${method} ${url.split('?')[0]}.`, {
      hint: 'GET /api/openapi.json lists every route.',
    });
  }
}

const BODY_HEADERS = ['content-type', 'content-length', 'content-disposition'];

/** Log lines never carry a secret: the query (login codes), cookies and Authorization are left out. */
const serializers = {
  req: (req: { method: string; url: string; ip?: string }) => ({
    method: req.method,
    url: req.url.split('?')[0],
    ip: req.ip,
  }),
};

/**
 * The API server: Fastify with TypeBox schemas (validated input, the OpenAPI document at
 * /api/openapi.json), authentication on every route, and the error shape the CLI prints with --json.
 * Routes call the same services as the CLI (src/machines), so answers have the CLI's JSON shapes.
 */
export async function buildServer(opts: BuildOptions): Promise<Api> {
  const logger =
    opts.logger === undefined || opts.logger === false
      ? false
      : { ...(typeof opts.logger === 'object' ? opts.logger : {}), serializers };
  const serialize = (payload: unknown) => JSON.stringify(payload, jsonReplacer);
  const app = Fastify({
    logger,
    // Validators compiled at a route's first request, no response serializers (schema-compilers.ts).
    schemaController: {
      compilersFactory: {
        buildValidator: lazyAjvValidators(),
        buildSerializer: noResponseSerializers(serialize),
      },
    },
    ...(opts.https ? { https: opts.https } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    bodyLimit: 1024 * 1024,
    // Longer than any name a schema accepts, so a long one gets the schema's 400 naming the field.
    routerOptions: { maxParamLength: 256 },
    // The router's own refusals, in the API's error shape (the URL is not echoed: it may carry a code).
    frameworkErrors: (err, _req, reply) => {
      const long = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const message = long
        ? 'Bad request: a part of the URL path is longer than 256 characters'
        : 'Bad request: the URL path is not valid (a bad %-escape?)';
      void (reply as FastifyReply)
        .status(long ? 414 : 400)
        .send({ error: { code: 'invalid-input', message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;
  app.setReplySerializer(serialize);
  app.setErrorHandler((err: unknown, req, reply) => {
    const e = err as {
      validation?: AjvError[];
      validationContext?: string;
      statusCode?: number;
      message?: string;
      code?: string;
    };
    const mapped = e.validation
      ? httpError(
          new InvalidInputError(`Bad request: ${validationMessage(e.validationContext, e.validation)}`, {
            hint: 'GET /api/openapi.json has the schema of every route.',
          }),
        )
      : e.statusCode === 429
        ? {
            status: 429,
            body: { error: { code: 'too-many-requests', message: 'Too many attempts; wait a minute.' } },
          }
        : // Fastify's own refusals of a request (malformed JSON, a wrong content type, too large).
          e.statusCode !== undefined &&
            e.statusCode >= 400 &&
            e.statusCode < 500 &&
            e.code?.startsWith('FST_')
          ? {
              status: e.statusCode,
              body: {
                error: { code: 'invalid-input', message: `Bad request: ${e.message ?? 'invalid input'}` },
              },
            }
          : httpError(err);
    if (mapped.status >= 500)
      req.log.error({ code: mapped.body.error.code, msg: mapped.body.error.message }, 'request failed');
    // A stream that failed before its first byte (an export refused once it ran) left the headers of
    // its body on the response, where Fastify puts them for a stream: the answer is this error instead.
    for (const h of BODY_HEADERS) {
      reply.removeHeader(h);
      if (!reply.raw.headersSent) reply.raw.removeHeader(h);
    }
    return reply.status(mapped.status).send(mapped.body);
  });
  // The web UI's files (dist/web), and its page for a browser's navigation to any other path.
  const ui = await webUi(app, opts.webRoot);
  app.setNotFoundHandler((req, reply) => {
    if (wantsPage(req)) return ui.page(reply);
    const { status, body } = httpError(new RouteNotFoundError(req.method, req.url));
    return reply.status(status).send(body);
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(websocket, {
    options: {
      maxPayload: 1024 * 1024,
      // noVNC (like websockify's clients) may offer `binary`: the frames are binary, so say yes to it.
      handleProtocols: (protocols: Set<string>) => (protocols.has('binary') ? 'binary' : false),
    },
  });
  registerAuth(app, opts.auth);
  // Before the routes: it records them for the document it builds when first asked for.
  openApiRoute(app, opts.version);
  await app.register(async (scoped) => {
    await routes(scoped as unknown as Api, opts);
  });
  return app;
}
