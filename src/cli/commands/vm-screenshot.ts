import { screenshotVm } from '../../machines/screenshot-vm.js';
import type { CommandContext, CommandResult } from '../command.js';
import { vmName, withConnection } from './vm-connection.js';

/** `phyllo vm screenshot NAME FILE.png`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const file = ctx.positionals[1] ?? '';
  const data = await withConnection(ctx, (lv) => screenshotVm(lv, vmName(ctx), file));
  return {
    data,
    human: () => `Saved the display of "${data.name}" to ${data.file} (${data.width}×${data.height}).`,
  };
}
