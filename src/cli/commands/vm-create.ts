import type { CommandContext, CommandResult } from '../command.js';
import { buildModel } from '../../model/build-model.js';
import { createVm } from '../../machines/create-vm.js';
import { InvalidInputError, PhyllomeError } from '../../errors.js';
import { modelOptionsFrom } from './os-model-options.js';
import { withModelHost } from './model-host.js';
import { consoleSession } from './vm-console.js';
import { startCommand } from './vm-power.js';
import { withConnection } from './vm-connection.js';

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
  if (ctx.values['print-xml'] === true && (ctx.values.start === true || ctx.values.console === true))
    throw new InvalidInputError('--print-xml defines nothing, so there is nothing to --start or --console', {
      hint: 'Leave out --print-xml to create and start the VM, or --start/--console to only print the XML.',
    });
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
  const attach = ctx.values.console === true;
  // A start that fails leaves the VM defined (it is what the user asked to create): say so, keep it.
  let started: { state: string } | undefined;
  if (ctx.values.start === true || attach) {
    if (!ctx.json) ctx.progress.write(`Created VM "${vm.name}" (${vm.uuid}); starting it…\n`);
    try {
      started = await startCommand(ctx, vm.name);
    } catch (err) {
      if (err instanceof PhyllomeError)
        Object.assign(err, {
          hint: `VM "${vm.name}" was created and stays defined. ${err.hint ?? ''}`.trim(),
        });
      throw err;
    }
  }
  const console = attach ? await withConnection(ctx, (lv) => consoleSession(ctx, lv, vm.name)) : undefined;
  return {
    data: {
      ...vm,
      ...(started ? { state: started.state } : {}),
      ...(console ? { console: console.ended } : {}),
    },
    human: () =>
      [
        ...(console ? [] : [`Created VM "${vm.name}" (${vm.uuid}).`]),
        ...(started && !console ? [`Started it. Its console: phyllo vm console ${vm.name}`] : []),
        ...(vm.disk ? [`Disk: ${vm.disk}`] : []),
        ...(vm.network?.defined ? [`Defined the "${vm.network.name}" network.`] : []),
        ...(vm.network?.started ? [`Started the "${vm.network.name}" network.`] : []),
        `Why each choice: phyllo os explain ${os}`,
      ].join('\n'),
  };
}
