import { connect, defaultUri, parseUri, type Libvirt } from '../../libvirt/index.js';
import { gatherModelHostFacts } from '../../machines/model-host-facts.js';
import type { ModelHostFacts } from '../../model/host-facts.js';
import type { ModelOptions } from '../../model/options.js';
import type { CommandContext } from '../command.js';

/**
 * Connects to libvirt (`--connect`), gathers the model's host facts (`--root` for the file probes)
 * and runs `fn`; the connection is closed afterwards. A `qemu:///session` connection makes the
 * options a session VM's unless `--session` said otherwise.
 */
export async function withModelHost<T>(
  ctx: CommandContext,
  options: ModelOptions,
  fn: (lv: Libvirt, host: ModelHostFacts, options: ModelOptions) => Promise<T>,
): Promise<T> {
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const session = options.session ?? parseUri(uri).path === '/session';
  const lv = await connect(uri);
  try {
    const host = await gatherModelHostFacts(lv, {
      session,
      ...(typeof ctx.values.root === 'string' ? { root: ctx.values.root } : {}),
    });
    return await fn(lv, host, { ...options, session });
  } finally {
    await lv.close();
  }
}
