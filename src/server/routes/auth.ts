import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Api } from '../context.js';
import { SESSION_COOKIE, type AuthOptions } from '../auth/plugin.js';
import { UnauthorizedError } from '../auth/errors.js';
import { ErrorBody } from '../query.js';

/**
 * Wrong login attempts per address per minute. A right code or the token is never limited (checked
 * after the request is parsed, without using the code up), so only guessing counts: a user who opens
 * many links, or mistyped the token ten times, still gets in with a right one.
 */
function loginRate(auth: AuthOptions) {
  const secretOf = (req: FastifyRequest): string | undefined => {
    const from =
      (req.query as { code?: unknown }).code ?? (req.body as { secret?: unknown } | undefined)?.secret;
    return typeof from === 'string' ? from : undefined;
  };
  return {
    max: 10,
    timeWindow: 60_000,
    hook: 'preHandler' as const,
    allowList: (req: FastifyRequest) => {
      const secret = secretOf(req);
      return secret !== undefined && auth.sessions.accepts(secret);
    },
  };
}

/**
 * The login exchange: the one-time link (`GET /login?code=…`, what `phyllo serve` prints) or a
 * POST of a code or the token gives an HttpOnly, SameSite=Strict session cookie.
 */
export function authRoutes(app: Api, auth: AuthOptions): void {
  const LOGIN_RATE = loginRate(auth);
  const cookie = () => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: auth.secure,
    path: '/',
    maxAge: auth.sessions.sessionSeconds,
  });
  app.get(
    '/login',
    {
      config: { rateLimit: LOGIN_RATE },
      schema: {
        summary: 'Open the one-time login link: sets the session cookie and goes to the web UI',
        tags: ['auth'],
        security: [],
        querystring: Type.Object({ code: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 303: Type.Null(), '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const id = auth.sessions.login(req.query.code);
      // A browser that opened a used or expired link lands on the UI's login page, which says so.
      if (!id && (req.headers.accept ?? '').includes('text/html'))
        return reply.redirect('/?login=failed', 303);
      if (!id) throw new UnauthorizedError();
      return reply.setCookie(SESSION_COOKIE, id, cookie()).redirect('/', 303);
    },
  );
  app.post(
    '/api/login',
    {
      config: { rateLimit: LOGIN_RATE },
      schema: {
        summary: 'Exchange a one-time code or the API token for a session cookie',
        tags: ['auth'],
        security: [],
        body: Type.Object({ secret: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ ok: Type.Literal(true) }), '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const id = auth.sessions.login(req.body.secret);
      if (!id) throw new UnauthorizedError();
      reply.setCookie(SESSION_COOKIE, id, cookie());
      return { ok: true as const };
    },
  );
  app.post(
    '/api/logout',
    {
      schema: {
        summary: 'End this browser session',
        tags: ['auth'],
        response: { 200: Type.Object({ ok: Type.Literal(true) }), '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      auth.sessions.logout(req.cookies[SESSION_COOKIE]);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );
}
