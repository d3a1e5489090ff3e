import type { CommandContext, CommandModule, CommandResult } from '../command.js';
import { hostCheck, type HostReport } from '../../host/host-check.js';
import { renderReport } from '../../host/render.js';

/** Exit code when a readiness check fails (the report is still printed). */
export const CHECK_FAILED_EXIT = 1;

export async function run(ctx: CommandContext): Promise<CommandResult<HostReport>> {
  const root = typeof ctx.values.root === 'string' ? ctx.values.root : '/';
  const report = await hostCheck({ root, retest: ctx.values.retest === true });
  return {
    data: report,
    human: () => renderReport(report),
    exitCode: report.checks.some((c) => c.status === 'fail') ? CHECK_FAILED_EXIT : 0,
  };
}

const mod: CommandModule = { run };
export default mod;
