import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OriginNotAllowedError, UnauthorizedError } from './errors.js';
import type { Sessions } from './sessions.js';
import { isApiPath } from '../web-ui.js';

export const SESSION_COOKIE = 'phyllome_session';

export interface AuthOptions {
  sessions: Sessions;
  /** Origins a browser may send state-changing requests and WebSocket upgrades from. */
  origins: Set<string>;
  /**
   * Host headers accepted (the origins' hosts), against DNS rebinding; undefined off loopback, where
   * TLS names the server and a page of its own comes from `https://` + the Host it asked.
   */
  hosts: Set<string> | undefined;
  /** Set the cookie's Secure flag (TLS). */
  secure: boolean;
}

/** Routes reachable without a session: the login exchange itself. */
const PUBLIC = new Set(['/login', '/api/login']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

/** Whether the request is authenticated, and how. */
export function authOf(req: FastifyRequest, opts: AuthOptions): 'token' | 'session' | undefined {
  const token = bearer(req);
  if (token !== undefined) return opts.sessions.isToken(token) ? 'token' : undefined;
  return opts.sessions.valid(req.cookies[SESSION_COOKIE]) ? 'session' : undefined;
}

/**
 * Every request but the login exchange must carry the token or a session cookie; a state-changing
 * request or a WebSocket upgrade from a browser must come from one of the server's own origins
 * (a cookie alone is not enough: another site's page could send it). A request whose Host is not one
 * of the server's names is refused, so a DNS-rebound name cannot reach the API.
 */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const host = req.headers.host;
    if (opts.hosts && host !== undefined && !opts.hosts.has(host))
      throw new OriginNotAllowedError(`the Host header "${host}" is not one of this server's addresses`);
    const path = req.url.split('?')[0] ?? '';
    const upgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const origin = req.headers.origin;
    const own = opts.origins.has(origin ?? '') || (!opts.hosts && origin === `https://${host}`);
    if (origin !== undefined && (upgrade || !SAFE_METHODS.has(req.method)) && !own)
      throw new OriginNotAllowedError(`requests from the origin "${origin}"`);
    if (PUBLIC.has(path)) return;
    // The web UI's files and page paths: the app itself, which holds no secret and shows its login.
    if (SAFE_METHODS.has(req.method) && !upgrade && !isApiPath(path)) return;
    const how = authOf(req, opts);
    if (how === undefined) throw new UnauthorizedError();
    // A browser always sends Origin on these; a cookie without one is not a page of ours.
    if (how === 'session' && origin === undefined && (upgrade || !SAFE_METHODS.has(req.method)))
      throw new OriginNotAllowedError('a state-changing request with a session cookie and no Origin header');
  });
}
