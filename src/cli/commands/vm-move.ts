import { connect } from '../../libvirt/index.js';
import { InvalidInputError } from '../../errors.js';
import { startJob } from '../../jobs/job.js';
import { MOVE_PHASE_WORDS, moveVm, type MovedVm } from '../../bundle/move-vm.js';
import { gatherModelHostFacts } from '../../machines/model-host-facts.js';
import type { CommandContext, CommandResult } from '../command.js';
import { runJob } from '../job-progress.js';
import { readVersion } from '../version.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm move NAME --to URI [--keep-source] [--pool POOL]`: the whole shut-off VM to another host. */
export async function run(ctx: CommandContext): Promise<CommandResult<MovedVm>> {
  const [name] = ctx.positionals as [string];
  const to = ctx.values.to;
  if (typeof to !== 'string' || to === '')
    throw new InvalidInputError('vm move needs the destination host: --to URI', {
      hint: 'For example: phyllo vm move win11 --to qemu+ssh://root@new-host/system',
    });
  const moved = await withConnection(ctx, async (src) => {
    const dst = await connect(to);
    try {
      const host = await gatherModelHostFacts(dst);
      return await runJob(
        startJob('move', (job) =>
          moveVm(src, dst, name, host, {
            phyllomeVersion: readVersion(import.meta.url),
            keepSource: ctx.values['keep-source'] === true,
            ...(typeof ctx.values.pool === 'string' ? { pool: ctx.values.pool } : {}),
            signal: job.signal,
            reopenDestination: () => connect(to),
            progress: (done, total, phase) => job.progress(MOVE_PHASE_WORDS[phase], done, total, 'bytes'),
          }),
        ),
        ctx,
      );
    } finally {
      await dst.close();
    }
  });
  const vm = moved.imported;
  return {
    data: moved,
    human: () =>
      [
        `Moved "${vm.name}" (${vm.uuid}) to ${to}:`,
        ...(vm.disks ?? (vm.disk ? [vm.disk] : [])).map((d) => `  disk: ${d}`),
        ...(vm.nvram ? [`  UEFI variables: ${vm.nvram}`] : []),
        ...(vm.tpmState ? [`  TPM state: ${vm.tpmState}`] : []),
        ...vm.changes.map((c) => `Changed for that host: ${c}`),
        ...vm.warnings.map((w) => `warning: ${w}`),
        moved.deleted
          ? `Removed from this host: ${moved.deleted.removed.length} file(s)${moved.deleted.kept.length ? `; kept ${moved.deleted.kept.map((k) => `${k.path} (${k.why})`).join(', ')}` : ''}`
          : 'Kept on this host too (--keep-source): the two have the same UUID; start only one of them.',
        `Start it there: phyllo vm start ${vm.name} --connect ${to}`,
      ].join('\n'),
  };
}
