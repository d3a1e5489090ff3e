import { connect, parseUri, type Libvirt } from '../../libvirt/index.js';
import { gatherModelHostFacts, remoteHostOf } from '../../machines/model-host-facts.js';
import { checkOptionPaths } from '../../machines/option-paths.js';
import type { ModelHostFacts } from '../../model/host-facts.js';
import type { ModelOptions } from '../../model/options.js';
import type { CommandContext } from '../command.js';
import { modelConnectionUri } from './model-connection.js';

/**
 * Connects to libvirt (`--connect`; `--session` means a session daemon, see `modelConnectionUri`),
 * checks the path options (this machine's files, or the remote host's storage volumes), gathers the
 * model's host facts (`--root` for the local probes) and runs `fn`; the connection is closed
 * afterwards. A session URI makes the options a session VM's. `onConnected` runs as soon as the
 * connection is open, before the facts are gathered: questions it asks libvirt are answered meanwhile.
 */
export async function withModelHost<T>(
  ctx: CommandContext,
  options: ModelOptions,
  fn: (lv: Libvirt, host: ModelHostFacts, options: ModelOptions) => Promise<T>,
  onConnected?: (lv: Libvirt) => void,
): Promise<T> {
  const flag = typeof ctx.values.connect === 'string' ? ctx.values.connect : undefined;
  const uri = modelConnectionUri(flag, options.session === true);
  const session = parseUri(uri).path === '/session';
  const remote = remoteHostOf(uri);
  // This machine's files are checked before anything connects; a remote host's through its libvirt.
  const local = remote === undefined ? await checkOptionPaths(options, { kind: 'local' }) : undefined;
  const lv = await connect(uri);
  try {
    onConnected?.(lv);
    const [host, checked] = await Promise.all([
      gatherModelHostFacts(lv, {
        session,
        ...(typeof ctx.values.root === 'string' ? { root: ctx.values.root } : {}),
      }),
      local ?? checkOptionPaths(options, { kind: 'remote', lv, host: remote as string, uri }),
    ]);
    return await fn(lv, host, { ...checked, session });
  } finally {
    await lv.close();
  }
}
