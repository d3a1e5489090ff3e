import { connect, type Libvirt } from '../../libvirt/index.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { modelInput } from '../../machines/model-input.js';
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
  // This machine's files are checked before anything connects; a remote host's through its libvirt.
  const local =
    remoteHostOf(uri) === undefined ? await checkOptionPaths(options, { kind: 'local' }) : undefined;
  const lv = await connect(uri);
  try {
    onConnected?.(lv);
    const input = await modelInput(lv, options, {
      ...(typeof ctx.values.root === 'string' ? { root: ctx.values.root } : {}),
      ...(local ? { checked: local } : {}),
    });
    return await fn(lv, input.host, input.options);
  } finally {
    await lv.close();
  }
}
