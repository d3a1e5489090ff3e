import type { CommandContext, CommandResult } from '../command.js';
import { deleteVm, type DeletedVm } from '../../machines/delete-vm.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm delete NAME [--keep-disks] [--force] [--delete-images]`. */
export async function run(ctx: CommandContext): Promise<CommandResult<DeletedVm>> {
  const name = ctx.positionals[0]!;
  const r = await withConnection(ctx, (lv) =>
    deleteVm(lv, name, {
      keepDisks: ctx.values['keep-disks'] === true,
      force: ctx.values.force === true,
      deleteImages: ctx.values['delete-images'] === true,
    }),
  );
  return {
    data: r,
    human: () =>
      [
        `Deleted VM "${r.name}"${r.poweredOff ? ' (powered off first)' : ''}.`,
        ...r.removed.map((p) => `  removed ${p}`),
        ...r.kept.map((k) => `  kept ${k.path}: ${k.why}`),
        ...(r.snapshots.length ? [`  snapshots removed: ${r.snapshots.join(', ')}`] : []),
      ].join('\n'),
  };
}
