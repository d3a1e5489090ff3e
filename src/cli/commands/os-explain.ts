import type { CommandContext, CommandResult } from '../command.js';
import { buildModel, type ModelResult } from '../../model/build-model.js';
import { EXPLAIN_NAME, explanationOf } from '../../machines/explain-os.js';
import { InvalidInputError } from '../../errors.js';
import { modelOptionsFrom } from './os-model-options.js';
import { withModelHost } from './model-host.js';

export { EXPLAIN_NAME };

export function formatDecisions(result: ModelResult): string {
  const w = Math.max(...result.decisions.map((d) => d.topic.length));
  const lines = [`${result.guest.name} → profile ${result.guest.profile}`, ''];
  for (const d of result.decisions)
    lines.push(`${d.topic.padEnd(w)}  ${d.choice}`, `${' '.repeat(w)}  ↳ ${d.reason}`);
  for (const n of result.guest.notes) lines.push('', `note: ${n}`);
  for (const warn of result.warnings) lines.push('', `warning: ${warn}`);
  return lines.join('\n');
}

/** `phyllo os explain ID [--memory …]`: every decision the model makes for this OS on this host. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const id = ctx.positionals[0];
  if (!id)
    throw new InvalidInputError('Which OS? `phyllo os explain ID`', {
      hint: 'Run `phyllo os list` for ids.',
    });
  const opts = modelOptionsFrom(ctx, EXPLAIN_NAME, id);
  const result = await withModelHost(ctx, opts, async (_lv, host, options) => buildModel(options, host));
  return { data: explanationOf(result), human: () => formatDecisions(result) };
}
