import type { CommandContext, CommandResult } from '../command.js';
import { buildModel } from '../../model/build-model.js';
import { createVm } from '../../machines/create-vm.js';
import { InvalidInputError } from '../../errors.js';
import { modelOptionsFrom } from './os-model-options.js';
import { withModelHost } from './model-host.js';

/**
 * `phyllo vm create NAME --os ID …`: builds the optimized model for this host and defines the VM
 * (creating its disk image, and the default NAT network when missing). `--print-xml` prints the
 * domain XML instead, defining nothing.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0];
  const os = ctx.values.os;
  if (!name) throw new InvalidInputError('The VM needs a name: `phyllo vm create NAME --os ID`');
  if (typeof os !== 'string')
    throw new InvalidInputError('Which OS? Add --os ID', { hint: 'Run `phyllo os list` for ids.' });
  const opts = modelOptionsFrom(ctx, name, os);
  const warn = (warnings: string[]) => {
    if (!ctx.json) for (const w of warnings) ctx.progress.write(`warning: ${w}\n`);
  };
  if (ctx.values['print-xml'] === true) {
    const result = await withModelHost(ctx, opts, async (_lv, host, options) => buildModel(options, host));
    warn(result.warnings);
    return {
      data: { name, xml: result.xml, decisions: result.decisions, warnings: result.warnings },
      human: () => result.xml,
    };
  }
  const vm = await withModelHost(ctx, opts, (lv, host, options) => createVm(lv, options, host));
  warn(vm.warnings);
  return {
    data: vm,
    human: () =>
      [
        `Created VM "${vm.name}" (${vm.uuid}).`,
        ...(vm.disk ? [`Disk: ${vm.disk}`] : []),
        ...(vm.network?.defined ? [`Defined the "${vm.network.name}" network.`] : []),
        ...(vm.network?.started ? [`Started the "${vm.network.name}" network.`] : []),
        `Why each choice: phyllo os explain ${os}`,
      ].join('\n'),
  };
}
