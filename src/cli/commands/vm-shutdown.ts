import { InvalidInputError } from '../../errors.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_S, shutdownVm } from '../../machines/shutdown-vm.js';
import type { CommandContext, CommandResult } from '../command.js';
import { runJob } from '../job-progress.js';
import { vmName, withConnection } from './vm-connection.js';

function timeoutOf(ctx: CommandContext): number {
  const text = ctx.values.timeout;
  if (typeof text !== 'string') return DEFAULT_SHUTDOWN_TIMEOUT_S;
  const s = Number(text);
  if (!/^\d+$/.test(text) || s < 1)
    throw new InvalidInputError(`--timeout ${text} is not a whole number of seconds (at least 1)`, {
      hint: 'For example --timeout 60.',
    });
  return s;
}

/** `phyllo vm shutdown NAME [--timeout S] [--force]`: ACPI, then wait for "shut off". */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const timeoutS = timeoutOf(ctx);
  const force = ctx.values.force === true;
  const data = await withConnection(ctx, (lv) =>
    runJob(shutdownVm(lv, vmName(ctx), { timeoutS, force }), ctx),
  );
  return {
    data,
    human: () =>
      data.forced
        ? `VM "${data.name}" did not shut down within ${timeoutS} s and was powered off (--force).`
        : `VM "${data.name}" is shut off (${(data.ms / 1000).toFixed(1)} s).`,
  };
}
