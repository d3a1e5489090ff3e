import type { CommandContext, CommandResult } from '../command.js';
import { completionScripts, type Shell } from '../completion-scripts.js';

/** `phyllo completion bash|zsh|fish`: the completion script for that shell (the parser checked SHELL). */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const shell = ctx.positionals[0] as Shell;
  const script = completionScripts[shell];
  return { data: { shell, script }, human: () => script };
}
