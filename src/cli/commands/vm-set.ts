import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { setVm, type SetRequest } from '../../machines/set-vm.js';
import { parseCount } from '../../model/options.js';
import { parseMemoryKiB } from '../../model/size.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm set NAME [--memory SIZE] [--vcpus N] [--autostart on|off]`: persistent, live where libvirt allows. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0] as string;
  const v = ctx.values;
  const req: SetRequest = {};
  if (typeof v.memory === 'string') req.memoryKiB = parseMemoryKiB(v.memory);
  if (typeof v.vcpus === 'string') req.vcpus = parseCount('--vcpus', v.vcpus);
  if (typeof v.autostart === 'string') req.autostart = v.autostart === 'on';
  if (Object.keys(req).length === 0)
    throw new InvalidInputError('Nothing to set: give --memory SIZE, --vcpus N or --autostart on|off', {
      hint: `e.g. phyllo vm set ${name} --memory 8G --vcpus 4`,
    });
  const out = await withConnection(ctx, (lv) => setVm(lv, name, req));
  if (!ctx.json) for (const w of out.warnings) ctx.progress.write(`warning: ${w}\n`);
  return {
    data: out,
    human: () =>
      out.changes
        .map(
          (c) =>
            `${c.setting} ${c.value}: ${c.applies === 'now' ? 'now' : 'at the next start'} (${c.detail})`,
        )
        .join('\n'),
  };
}
