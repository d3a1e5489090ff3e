import { diagnoseVm } from '../../machines/diagnose-vm.js';
import { findVm } from '../../machines/find-vm.js';
import type { CommandContext, CommandResult } from '../command.js';
import { renderDiagnosis } from './render-diagnosis.js';
import { vmName, withConnection } from './vm-connection.js';

/** `phyllo vm diagnose NAME`: what is wrong with the VM, in plain words, and what to do. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const data = await withConnection(ctx, async (lv) => diagnoseVm(lv, await findVm(lv, vmName(ctx))));
  return { data, human: () => renderDiagnosis(data) };
}
