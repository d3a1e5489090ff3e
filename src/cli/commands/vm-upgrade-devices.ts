import type { CommandContext, CommandResult } from '../command.js';
import { upgradeDevices } from '../../machines/upgrade-devices.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm upgrade-devices NAME [--undo]`: SATA/e1000e → virtio once the guest has the drivers. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0] as string;
  const undo = ctx.values.undo === true;
  const out = await withConnection(ctx, (lv) => upgradeDevices(lv, name, { undo }));
  return {
    data: out,
    human: () => {
      if (out.changes.length === 0)
        return undo
          ? `Nothing to put back on "${name}".`
          : `Nothing to upgrade on "${name}": its disks and NICs are already ${out.reason.replace(/^.*?: /, '')}.`;
      const lines = out.changes.map((c) => `  ${c.device} ${c.id}: ${c.from} → ${c.to}`);
      return undo
        ? [`Put back the devices of "${name}" from before the upgrade:`, ...lines].join('\n')
        : [
            `Switched "${name}" to virtio (${out.reason}):`,
            ...lines,
            out.precondition.replace(/NAME/g, name),
          ].join('\n');
    },
  };
}
