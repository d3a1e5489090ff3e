import { readFileSync } from 'node:fs';
import { PhyllomeError } from '../errors.js';
import { buildServer } from './app.js';
import { allowedHosts, allowedOrigins, isLoopback } from './auth/origin.js';
import { Sessions } from './auth/sessions.js';
import { loadOrCreateToken, tokenPath } from './auth/token.js';
import type { Api } from './context.js';
import { Hosts } from './hosts.js';
import { JobRegistry } from './job-registry.js';
import { parseListen, requireTlsOffLoopback } from './listen.js';

export interface ServeOptions {
  listen: string;
  connect: string[];
  tlsCert?: string;
  tlsKey?: string;
  /** More origins browsers may use (a reverse proxy's URL). */
  origins?: string[];
  allowedDirs: string[];
  tokenFile?: string;
  version: string;
  /** JSON-line log destination (default stdout); false for none. */
  log?: NodeJS.WritableStream | false;
}

export interface RunningServer {
  app: Api;
  /** The base URL, e.g. http://127.0.0.1:8006 */
  url: string;
  /** A one-time login link for a browser. */
  loginLink: () => string;
  tokenFile: string;
  hosts: Hosts;
  jobs: JobRegistry;
  close(): Promise<void>;
}

class TlsFileError extends PhyllomeError {
  override name = 'TlsFileError';
  constructor(flag: string, file: string, cause: unknown) {
    super('invalid-file', `${flag} ${file} cannot be read`, {
      hint: 'Give a PEM file this user can read.',
      cause,
    });
  }
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsFileError(flag, file, err);
  }
}

/** Starts `phyllo serve`: checks the listen address, loads the token, dials the hosts, listens. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const addr = parseListen(opts.listen);
  const tls = opts.tlsCert !== undefined || opts.tlsKey !== undefined;
  if (tls && (!opts.tlsCert || !opts.tlsKey))
    throw new TlsFileError(opts.tlsCert ? '--tls-key' : '--tls-cert', '(missing)', undefined);
  requireTlsOffLoopback(addr, tls);
  const https = tls
    ? { cert: readPem('--tls-cert', opts.tlsCert!), key: readPem('--tls-key', opts.tlsKey!) }
    : undefined;
  const tokenFile = opts.tokenFile ?? tokenPath();
  const sessions = new Sessions(loadOrCreateToken(tokenFile));
  const hosts = new Hosts(opts.connect);
  const jobs = new JobRegistry();
  await hosts.start();
  const listenSpec = { ...addr, tls };
  // Port 0 (tests) is known only after listen; the origins are fixed up then.
  const origins = new Set<string>();
  const auth = {
    sessions,
    origins,
    hosts: isLoopback(addr.host) ? new Set<string>() : undefined,
    secure: tls,
  };
  const app = await buildServer({
    hosts,
    jobs,
    allowedDirs: opts.allowedDirs,
    // The first page load after a start answers from memory (the read starts now, not when asked).
    vmList: { readAtStart: true },
    auth,
    version: opts.version,
    ...(https ? { https } : {}),
    logger: opts.log === false ? false : { level: 'info', stream: opts.log ?? process.stdout },
  });
  await app.listen({ host: addr.host, port: addr.port });
  const port = (app.server.address() as { port: number }).port;
  for (const o of allowedOrigins({ ...listenSpec, port }, opts.origins)) origins.add(o);
  if (auth.hosts) for (const h of allowedHosts(origins)) auth.hosts.add(h);
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    app,
    url,
    loginLink: () => `${url}/login?code=${sessions.issueCode()}`,
    tokenFile,
    hosts,
    jobs,
    close: async () => {
      await jobs.cancelAll();
      await app.close();
      await hosts.close();
    },
  };
}
