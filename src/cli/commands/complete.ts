import { PROFILES } from '../../catalog/profiles.js';
import type { CommandContext, CommandResult } from '../command.js';
import { commands } from '../commands.js';
import { complete, completionLines, type Completion } from '../complete.js';
import { vmNames } from '../vm-names.js';

/**
 * `phyllo __complete words -- WORD...`: what the completion scripts (`phyllo completion SHELL`) call on
 * every TAB; `phyllo __complete vms [--connect URI]`: the VM names. Prints nothing it cannot find.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [what, ...words] = ctx.positionals;
  if (what === 'vms') {
    const names = await vmNames(typeof ctx.values.connect === 'string' ? ctx.values.connect : undefined);
    return { data: names, human: () => names.join('\n') };
  }
  let result: Completion;
  try {
    result = await complete(words, commands, {
      vmNames: (uri) => vmNames(uri),
      osIds: () => PROFILES.map((p) => ({ value: p.id, description: p.name })),
    });
  } catch {
    result = { kind: 'words', candidates: [] };
  }
  return { data: result, human: () => completionLines(result) };
}
