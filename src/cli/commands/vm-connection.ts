import { connect, defaultUri, type Libvirt } from '../../libvirt/index.js';
import type { CommandContext } from '../command.js';

/** The `--connect` URI (else the default), connected for `fn` and closed afterwards. */
export async function withConnection<T>(ctx: CommandContext, fn: (lv: Libvirt) => Promise<T>): Promise<T> {
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const lv = await connect(uri);
  try {
    return await fn(lv);
  } finally {
    await lv.close();
  }
}

/** The VM name positional (the parser has checked it is there). */
export function vmName(ctx: CommandContext): string {
  return ctx.positionals[0] ?? '';
}
