import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TObject } from 'typebox';
import { PhyllomeError } from '../../errors.js';
import type { Api } from '../context.js';
import { ErrorBody, VmParams } from '../query.js';
import { bridge, type ConsoleSession } from './bridge.js';

/** A plain HTTP request to a WebSocket route (/api/events, the console proxies). */
export class WebSocketRequiredError extends PhyllomeError {
  override name = 'WebSocketRequiredError';
  constructor(path: string) {
    super('websocket-required', `${path} is a WebSocket: open it with an Upgrade: websocket request.`, {
      hint: 'Use a WebSocket client (a browser’s WebSocket, websocat, the ws package) with the token or a session.',
    });
  }
}

export interface ConsoleRouteOptions<Q extends TObject> {
  /** `/api/vms/:name/…`. */
  url: string;
  summary: string;
  description: string;
  querystring: Q;
  /** What the session is, for the log line at its end. */
  kind: 'vnc' | 'serial';
  /** Opens the far end; its typed errors are the HTTP answer (404, 409, …), before any upgrade. */
  open: (name: string, query: Static<Q>) => Promise<ConsoleSession>;
}

/**
 * A console WebSocket route: the far end (the VM's VNC server, its serial console) is opened before
 * the upgrade, so an unknown VM, a stopped one or a console held elsewhere is an HTTP error with the
 * API's error shape (authentication and Origin were checked earlier still, on every request); then the
 * upgraded socket is bridged to it until either side ends. A far end opened for a request that never
 * upgrades is closed with the request's connection.
 */
export function consoleRoute<Q extends TObject>(app: Api, opts: ConsoleRouteOptions<Q>): void {
  const sessions = new WeakMap<FastifyRequest, ConsoleSession>();
  app.route({
    method: 'GET',
    url: opts.url,
    schema: {
      summary: opts.summary,
      description: opts.description,
      tags: ['consoles'],
      params: VmParams,
      querystring: opts.querystring,
      response: {
        101: Type.Null({ description: 'Switching Protocols: the WebSocket carries the console' }),
        '4xx': ErrorBody,
        '5xx': ErrorBody,
      },
    },
    preHandler: async (req) => {
      const path = req.url.split('?')[0] ?? opts.url;
      if (!req.ws) throw new WebSocketRequiredError(path);
      const { name } = req.params as Static<typeof VmParams>;
      const session = await opts.open(name, req.query as Static<Q>);
      sessions.set(req, session);
      req.raw.socket.once('close', () => session.close());
    },
    handler: async (req) => {
      throw new WebSocketRequiredError(req.url.split('?')[0] ?? opts.url);
    },
    wsHandler: (socket, req) => {
      const session = sessions.get(req);
      if (!session) return socket.close(1011, 'no-session');
      const { name } = req.params as Static<typeof VmParams>;
      void bridge(socket, session).then((outcome) =>
        req.log.info({ vm: name, console: opts.kind, ...outcome }, 'console session ended'),
      );
    },
  });
}
