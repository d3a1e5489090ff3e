import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultUri } from '../../libvirt/index.js';
import { startServer } from '../../server/serve.js';
import { DEFAULT_LISTEN } from '../../server/listen.js';
import type { CommandContext, CommandResult } from '../command.js';
import { readVersion } from '../version.js';

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * `phyllo serve`: runs the API until Ctrl-C (or SIGTERM), then cancels running jobs (each undoes what
 * it made), closes the connections and returns. The URL and a one-time login link go to stderr; the
 * JSON-line log to stdout.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const connect = strings(ctx.values.connect);
  const dirs = strings(ctx.values['allow-dir']);
  const server = await startServer({
    listen: typeof ctx.values.listen === 'string' ? ctx.values.listen : DEFAULT_LISTEN,
    connect: connect.length ? connect : [defaultUri()],
    ...(typeof ctx.values['tls-cert'] === 'string' ? { tlsCert: ctx.values['tls-cert'] } : {}),
    ...(typeof ctx.values['tls-key'] === 'string' ? { tlsKey: ctx.values['tls-key'] } : {}),
    origins: strings(ctx.values.origin),
    allowedDirs: dirs.length ? dirs : ['/var/lib/libvirt/images', join(homedir(), 'Downloads')],
    version: readVersion(import.meta.url),
  });
  const hosts = server.hosts.list();
  ctx.progress.write(
    [
      `Phyllome is serving ${hosts.map((h) => `${h.id} (${h.uri}${h.connected ? '' : ', not reachable yet'})`).join(', ')} at ${server.url}`,
      `Open this link to log in (it works once): ${server.loginLink()}`,
      `Scripts: curl -H "Authorization: Bearer $(cat ${server.tokenFile})" ${server.url}/api/vms`,
      'Ctrl-C stops the server.',
      '',
    ].join('\n'),
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(s);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  const data = { url: server.url, stoppedBy: signal };
  return { data, human: () => `Stopped (${signal}).` };
}
