import type { CommandContext, CommandResult } from '../command.js';
import { buildModel } from '../../model/build-model.js';
import { hostFactsFromSystem } from '../../model/host-facts-from-system.js';
import { InvalidInputError } from '../../errors.js';
import { modelOptionsFrom } from './os-model-options.js';

/**
 * `phyllo vm create NAME --os ID … --print-xml`: the model's domain XML, without defining it.
 * `--print-xml` is required for now (defining needs the libvirt client).
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0];
  const os = ctx.values.os;
  if (!name) throw new InvalidInputError('The VM needs a name: `phyllo vm create NAME --os ID --print-xml`');
  if (typeof os !== 'string')
    throw new InvalidInputError('Which OS? Add --os ID', { hint: 'Run `phyllo os list` for ids.' });
  if (ctx.values['print-xml'] !== true)
    throw new InvalidInputError('`phyllo vm create` needs --print-xml', {
      hint: 'Add --print-xml to print the domain XML (e.g. to pipe into `virsh define /dev/stdin`).',
    });
  const opts = modelOptionsFrom(ctx, name, os);
  const result = buildModel(opts, hostFactsFromSystem({ session: opts.session ?? false }));
  if (!ctx.json) for (const w of result.warnings) ctx.progress.write(`warning: ${w}\n`);
  return {
    data: { name, xml: result.xml, decisions: result.decisions, warnings: result.warnings },
    human: () => result.xml,
  };
}
