import type { CommandContext, CommandResult } from '../command.js';
import { startJob } from '../../jobs/job.js';
import { cloneVm, type ClonedVm } from '../../machines/clone-vm.js';
import { runJob } from '../job-progress.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm clone SRC DST [--full] [--new-tpm]`: a clone with copies of the NVRAM and TPM state. */
export async function run(ctx: CommandContext): Promise<CommandResult<ClonedVm>> {
  const [source, name] = ctx.positionals as [string, string];
  const vm = await withConnection(ctx, (lv) =>
    runJob(
      startJob('clone', (job) =>
        cloneVm(lv, source, name, {
          newTpm: ctx.values['new-tpm'] === true,
          full: ctx.values.full === true,
          signal: job.signal,
          job,
        }),
      ),
      ctx,
    ),
  );
  return {
    data: vm,
    human: () =>
      [
        `Cloned "${vm.source}" to "${vm.name}" (${vm.uuid}), ${vm.linked ? 'linked' : 'full copy'}:`,
        ...vm.disks.map((d) =>
          d.base
            ? `  ${d.target}: ${d.path} on ${d.base} (frozen, shared with "${vm.source}")`
            : `  ${d.target}: ${d.path}`,
        ),
        ...vm.sourceDisks.map((d) => `  "${vm.source}" now writes ${d.path}`),
        vm.nvram ? `UEFI variables copied to ${vm.nvram}` : 'No UEFI variables to copy.',
        vm.tpm === 'copied'
          ? 'TPM state copied (same TPM identity; --new-tpm gives a fresh one).'
          : vm.tpm === 'fresh'
            ? 'TPM: a fresh one at the first start.'
            : 'No TPM.',
        ...(vm.macs.length ? [`MAC: ${vm.macs.join(', ')}`] : []),
      ].join('\n'),
  };
}
