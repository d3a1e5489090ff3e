import { connect, defaultUri, type Libvirt } from '../../libvirt/index.js';
import type { CommandContext } from '../command.js';

/** Connects to `--connect URI` (else PHYLLO_CONNECT, else the default daemon), runs `fn`, closes. */
export async function withConnection<T>(ctx: CommandContext, fn: (lv: Libvirt) => Promise<T>): Promise<T> {
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const lv = await connect(uri);
  try {
    return await fn(lv);
  } finally {
    await lv.close();
  }
}
