import { InvalidInputError } from '../../errors.js';
import { startJob } from '../../jobs/job.js';
import { EXPORT_PHASE_WORDS, exportVm, type ExportedVm } from '../../bundle/export-vm.js';
import { bundleCompression } from '../../bundle/compression.js';
import type { CommandContext, CommandResult } from '../command.js';
import { formatBytes } from '../human-units.js';
import { runJob } from '../job-progress.js';
import { readVersion } from '../version.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm export NAME FILE|- [--compress zstd|none]`: the whole shut-off VM in one bundle. */
export async function run(ctx: CommandContext): Promise<CommandResult<ExportedVm>> {
  const [name, file] = ctx.positionals as [string, string];
  if (file === '-' && ctx.json)
    throw new InvalidInputError('--json writes to standard output, which the bundle takes when FILE is -', {
      hint: 'Leave --json out, or give a FILE.',
    });
  const compress = ctx.values.compress === 'none' ? undefined : bundleCompression();
  const vm = await withConnection(ctx, (lv) =>
    runJob(
      startJob('export', (job) =>
        exportVm(lv, name, file, {
          phyllomeVersion: readVersion(import.meta.url),
          ...(compress ? { compression: compress } : {}),
          signal: job.signal,
          progress: (done, total, phase) => job.progress(EXPORT_PHASE_WORDS[phase], done, total, 'bytes'),
          ...(file === '-' ? { stream: process.stdout } : {}),
        }),
      ),
      ctx,
    ),
  );
  const summary = [
    `Exported "${vm.name}" to ${vm.file === '-' ? 'standard output' : vm.file}: ${formatBytes(vm.bytes)}${vm.compressed ? ' (zstd)' : ''}, ${formatBytes(vm.dataBytes)} of data`,
    ...vm.entries.map(
      (e) =>
        `  ${e.path}  ${formatBytes(e.size)}${e.realSize !== undefined ? ` of ${formatBytes(e.realSize)}` : ''}  sha256 ${e.sha256.slice(0, 16)}…`,
    ),
  ].join('\n');
  if (file === '-') {
    ctx.progress.write(summary + '\n');
    return { data: vm, human: () => '' };
  }
  return { data: vm, human: () => summary };
}
