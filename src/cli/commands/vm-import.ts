import { createReadStream } from 'node:fs';
import { BUNDLE_CHUNK } from '../../bundle/chunk-size.js';
import { FileChunks } from '../../bundle/file-chunks.js';
import { startJob } from '../../jobs/job.js';
import { importVm, type ImportedVm } from '../../bundle/import-vm.js';
import { gatherModelHostFacts } from '../../machines/model-host-facts.js';
import type { CommandContext, CommandResult } from '../command.js';
import { runJob } from '../job-progress.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm import FILE|- [--name NEW] [--pool POOL]`: a bundle into a new VM, checked before anything is made. */
export async function run(ctx: CommandContext): Promise<CommandResult<ImportedVm>> {
  const [file] = ctx.positionals as [string];
  // A bundle file is read by offset, so its disks can be copied file to file (file-chunks.ts).
  const source =
    file === '-'
      ? process.stdin
      : ((await FileChunks.open(file).catch(() => undefined)) ??
        createReadStream(file, { highWaterMark: BUNDLE_CHUNK }));
  const vm = await withConnection(ctx, async (lv) => {
    const host = await gatherModelHostFacts(
      lv,
      typeof ctx.values.root === 'string' ? { root: ctx.values.root } : {},
    );
    return runJob(
      startJob('import', (job) =>
        importVm(lv, source, host, {
          ...(typeof ctx.values.name === 'string' ? { name: ctx.values.name } : {}),
          ...(typeof ctx.values.pool === 'string' ? { pool: ctx.values.pool } : {}),
          signal: job.signal,
          progress: (done, total) => job.progress('bundle data', done, total, 'bytes'),
        }),
      ),
      ctx,
    );
  });
  return {
    data: vm,
    human: () =>
      [
        `Imported "${vm.name}" (${vm.uuid}):`,
        ...(vm.disks ?? (vm.disk ? [vm.disk] : [])).map((d) => `  disk: ${d}`),
        ...(vm.nvram ? [`  UEFI variables: ${vm.nvram}`] : []),
        ...(vm.tpmState ? [`  TPM state: ${vm.tpmState}`] : []),
        ...vm.changes.map((c) => `Changed for this host: ${c}`),
        ...vm.warnings.map((w) => `warning: ${w}`),
        `Start it: phyllo vm start ${vm.name}`,
      ].join('\n'),
  };
}
