import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenPath } from '../../server/auth/token.js';
import { defaultUnitDir, installService } from '../../server/install-service.js';
import { parseListen, requireTlsOffLoopback } from '../../server/listen.js';
import { defaultUri } from '../../libvirt/index.js';
import { startServer } from '../../server/serve.js';
import { DEFAULT_LISTEN } from '../../server/listen.js';
import type { CommandContext, CommandResult } from '../command.js';
import { readVersion } from '../version.js';

/** `serve --install-service`: the systemd unit that runs this same `phyllo serve` at boot. */
function install(ctx: CommandContext): CommandResult {
  const args: string[] = [];
  const one = (flag: string, v: unknown, path = false) => {
    if (typeof v === 'string') args.push(`--${flag}`, path ? resolve(v) : v);
  };
  one('listen', ctx.values.listen);
  for (const c of strings(ctx.values.connect)) args.push('--connect', c);
  one('tls-cert', ctx.values['tls-cert'], true);
  one('tls-key', ctx.values['tls-key'], true);
  for (const o of strings(ctx.values.origin)) args.push('--origin', o);
  for (const d of strings(ctx.values['allow-dir'])) args.push('--allow-dir', resolve(d));
  // Checked now, so the unit never holds options the server would refuse at boot.
  const listen = parseListen(listenOf(ctx));
  requireTlsOffLoopback(listen, typeof ctx.values['tls-cert'] === 'string');
  const uid = process.getuid?.() ?? 0;
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const unitDir =
    typeof ctx.values['unit-dir'] === 'string' ? resolve(ctx.values['unit-dir']) : defaultUnitDir(uid);
  const done = installService(unitDir, {
    phyllo: join(root, 'bin', 'phyllo'),
    nodeDir: dirname(process.execPath),
    args,
    user: uid !== 0,
    home: homedir(),
    readme: join(root, 'README.md'),
  });
  return {
    data: done,
    human: () =>
      [
        `Wrote ${done.path}. Enable and start it:`,
        ...done.enable.map((c) => `  ${c}`),
        `Then log in with the token in ${tokenPath()} (the service's log has no login link).`,
      ].join('\n'),
  };
}

/** `--listen`, else $PHYLLO_LISTEN, else 127.0.0.1:8006. */
const listenOf = (ctx: CommandContext): string =>
  typeof ctx.values.listen === 'string' ? ctx.values.listen : process.env.PHYLLO_LISTEN || DEFAULT_LISTEN;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * `phyllo serve`: runs the API until Ctrl-C (or SIGTERM), then cancels running jobs (each undoes what
 * it made), closes the connections and returns. The URL and a one-time login link go to stderr; the
 * JSON-line log to stdout.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  if (ctx.values['install-service'] === true) return install(ctx);
  const connect = strings(ctx.values.connect);
  const dirs = strings(ctx.values['allow-dir']);
  const server = await startServer({
    listen: listenOf(ctx),
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
