import { importOva, type ImportedOva } from '../../bundle/ova/import-ova.js';
import { startJob } from '../../jobs/job.js';
import { gatherModelHostFacts } from '../../machines/model-host-facts.js';
import type { CommandContext, CommandResult } from '../command.js';
import { runJob } from '../job-progress.js';
import { withConnection } from './vm-connection.js';

const VENDOR = { virtualbox: 'VirtualBox', vmware: 'VMware', other: 'an OVF' } as const;

/** `phyllo vm import-ova FILE.ova [--os ID] [--name NEW] [--pool POOL]`: an appliance into a new VM. */
export async function run(ctx: CommandContext): Promise<CommandResult<ImportedOva>> {
  const [file] = ctx.positionals as [string];
  const str = (k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);
  const vm = await withConnection(ctx, async (lv) => {
    const host = await gatherModelHostFacts(lv, str('root') !== undefined ? { root: str('root')! } : {});
    return runJob(
      startJob('import-ova', (job) =>
        importOva(lv, file, host, {
          ...(str('os') !== undefined ? { os: str('os')! } : {}),
          ...(str('name') !== undefined ? { name: str('name')! } : {}),
          ...(str('pool') !== undefined ? { pool: str('pool')! } : {}),
          signal: job.signal,
          progress: (phase, done, total) => job.progress(phase, done, total, 'bytes'),
        }),
      ),
      ctx,
    );
  });
  return {
    data: vm,
    human: () =>
      [
        `Imported "${vm.name}" (${vm.uuid}) from ${VENDOR[vm.source.vendor]} appliance "${vm.source.name}":`,
        `  guest profile: ${vm.os.id} (${vm.os.reason})`,
        `  ${vm.memoryMiB} MiB memory, ${vm.vcpus} vCPU${vm.vcpus === 1 ? '' : 's'}, ${vm.firmware === 'efi' ? 'UEFI' : 'BIOS'}${vm.secureBoot ? ' with Secure Boot' : ''}${vm.tpm ? ', TPM 2.0' : ''}`,
        `  disk: ${vm.disk}`,
        `  manifest: ${vm.manifestChecked ? 'every file matched its digest' : 'none in the OVA (not checked)'}`,
        ...(vm.changes.length ? ['Changed:', ...vm.changes.map((c) => `  - ${c}`)] : []),
        ...(vm.notCarried.length
          ? ['Not carried over:', ...vm.notCarried.map((n) => `  - ${n.kind}: ${n.detail}`)]
          : []),
        ...vm.warnings.map((w) => `warning: ${w}`),
        `Start it: phyllo vm start ${vm.name}`,
      ].join('\n'),
  };
}
