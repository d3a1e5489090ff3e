import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { createSnapshot, deleteSnapshot, listSnapshots, revertSnapshot } from '../../machines/snapshot-vm.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm snapshot create|list|revert|delete NAME [SNAP]`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [action, name, snap] = ctx.positionals as [string, string, string | undefined];
  if (action !== 'list' && !snap)
    throw new InvalidInputError(`vm snapshot ${action} needs the snapshot's name`, {
      hint: `phyllo vm snapshot ${action} ${name} SNAP`,
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const list = await listSnapshots(lv, name);
      return {
        data: { vm: name, snapshots: list },
        human: () =>
          list.length
            ? list
                .map(
                  (s) =>
                    `${s.name}  ${s.created}  ${[s.nvram && 'nvram', s.tpm && 'tpm'].filter(Boolean).join(' ')}`,
                )
                .join('\n')
            : `VM "${name}" has no snapshots.`,
      };
    }
    const s = snap!;
    if (action === 'create') {
      const r = await createSnapshot(lv, name, s);
      return { data: r, human: () => `Snapshot "${s}" of "${name}" created.` };
    }
    if (action === 'revert') {
      const r = await revertSnapshot(lv, name, s);
      return { data: r, human: () => `"${name}" reverted to snapshot "${s}" (disks, UEFI variables, TPM).` };
    }
    const r = await deleteSnapshot(lv, name, s);
    return {
      data: r,
      human: () =>
        `Snapshot "${s}" of "${name}" deleted${r.merged.length ? ` (merged ${r.merged.join(', ')})` : ''}.`,
    };
  });
}
