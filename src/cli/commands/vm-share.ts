import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { addShare, listShares, removeShare } from '../../devices/share.js';
import { withConnection } from './vm-connection.js';

const ACTIONS = new Set(['add', 'list', 'remove']);

/**
 * The words of `vm share`: `NAME HOST_DIR` (add, the short form), `add NAME HOST_DIR`, `list NAME`,
 * `remove NAME TAG`. A VM named add, list or remove is reached with the long form (`vm share add add DIR`).
 */
export function shareWords(words: string[]): {
  action: 'add' | 'list' | 'remove';
  name: string;
  arg?: string;
} {
  const [first = '', ...rest] = words;
  const [action, args] = ACTIONS.has(first)
    ? [first as 'add' | 'list' | 'remove', rest]
    : ['add' as const, words];
  const [name, arg, extra] = args;
  const usage = {
    add: 'phyllo vm share NAME HOST_DIR --tag TAG [--readonly]',
    list: 'phyllo vm share list NAME',
    remove: 'phyllo vm share remove NAME TAG',
  }[action];
  const wants = action === 'list' ? 1 : 2;
  if (
    name === undefined ||
    (wants === 2 && arg === undefined) ||
    (wants === 1 && arg !== undefined) ||
    extra !== undefined
  )
    throw new InvalidInputError(`vm share ${action}: expected ${usage.replace('phyllo ', '')}`, {
      hint: usage,
    });
  return { action, name, ...(arg === undefined ? {} : { arg }) };
}

/** `phyllo vm share NAME HOST_DIR --tag TAG [--readonly]`, `vm share list NAME`, `vm share remove NAME TAG`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const { action, name, arg } = shareWords(ctx.positionals);
  const tag = ctx.values.tag;
  if (action === 'add' && typeof tag !== 'string')
    throw new InvalidInputError('A share needs its tag, the name the guest mounts it by', {
      hint: `phyllo vm share ${name} ${arg ?? 'HOST_DIR'} --tag data (in the guest: mount -t virtiofs data /mnt)`,
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listShares(lv, name);
      return {
        data: out,
        human: () =>
          out.shares.length
            ? out.shares
                .map(
                  (s) =>
                    `${s.tag}  ${s.dir}${s.readonly ? '  read-only' : ''}${s.driver !== 'virtiofs' ? `  (${s.driver})` : ''}${s.live === false ? '  (at the next start)' : ''}`,
                )
                .join('\n')
            : `VM "${name}" has no shared folders.`,
      };
    }
    if (action === 'remove') {
      const out = await removeShare(lv, name, arg as string);
      return {
        data: out,
        human: () =>
          `Removed the share "${out.removed.tag}" (${out.removed.dir}) from "${name}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}).`,
      };
    }
    const out = await addShare(lv, name, {
      dir: arg as string,
      tag: tag as string,
      readonly: ctx.values.readonly === true,
    });
    if (!ctx.json) for (const w of out.warnings) ctx.progress.write(`warning: ${w}\n`);
    return {
      data: out,
      human: () =>
        [
          `Shared ${out.share.dir} with "${name}" as "${out.share.tag}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}).`,
          out.sharedMemoryAdded ? 'Its memory is now shared (memfd), as virtiofs needs.' : '',
          `In the guest: ${out.mount}`,
        ]
          .filter(Boolean)
          .join('\n'),
    };
  });
}
