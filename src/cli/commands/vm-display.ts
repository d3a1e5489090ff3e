import { vmDisplay } from '../../machines/vm-display.js';
import type { CommandContext, CommandResult } from '../command.js';
import { vmName, withConnection } from './vm-connection.js';

/** `phyllo vm display NAME`: the VNC/SPICE address. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const data = await withConnection(ctx, (lv) => vmDisplay(lv, vmName(ctx)));
  return {
    data,
    human: () =>
      data.displays.length === 0
        ? `VM "${data.name}" has no VNC or SPICE display.`
        : data.displays
            .map((d) => `${d.type}: ${d.address ?? '-'}${d.note ? ` (${d.note})` : ''}`)
            .join('\n'),
  };
}
