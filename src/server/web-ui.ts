import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Api } from './context.js';

/**
 * Where the built web UI lies: dist/web, beside dist/src (this module is dist/src/server/web-ui.js, or
 * the CLI bundle dist/src/cli/phyllo.cjs, both two levels below dist/).
 */
export function webRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

/** Paths of the API and of the server itself: never answered with the web UI's page. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics' || path === '/login';
}

/** A browser's navigation to a page of the UI (not a script's request, not a file). */
export function wantsPage(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '/';
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    !isApiPath(path) &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Phyllome</title>
<p>The web UI's files (dist/web) are missing from this installation: reinstall Phyllome, or build it
again from its source. The API works without them: <code>GET /api/openapi.json</code> lists its routes.</p></html>`;

/**
 * The web UI: the files Vite built (dist/web; hashed names under /assets/, cached for a year; their
 * gzip and Brotli twins written by the build are sent to browsers that take them), and index.html for
 * every other page path, so that /vms/NAME opened in a new tab loads the app, which then routes.
 * The files hold no secret: they are served without a session (the app shows its login page).
 */
export async function webUi(app: Api, root = webRoot()): Promise<{ page: (r: FastifyReply) => unknown }> {
  const built = existsSync(join(root, 'index.html'));
  if (built)
    await app.register(fastifyStatic, {
      root,
      serve: false,
      preCompressed: true,
      maxAge: '365d',
      immutable: true,
    });
  const page = (reply: FastifyReply) =>
    built
      ? reply
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'same-origin')
          .sendFile('index.html', { cacheControl: false })
      : reply.type('text/html; charset=utf-8').send(NOT_BUILT);
  if (built) {
    // Only two routes: the page itself and the hashed files (a missing one is a 404, never the page).
    app.get('/', { schema: { hide: true } }, (_req, reply) => page(reply));
    app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, (req, reply) =>
      reply.header('x-content-type-options', 'nosniff').sendFile(`assets/${req.params['*']}`),
    );
  }
  return { page };
}
