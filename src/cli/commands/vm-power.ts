import { powerVm, setVmAutostart, startVm, type PowerResult } from '../../machines/vm-power.js';
import { VmStartError } from '../../machines/power-errors.js';
import type { CommandContext, CommandModule, CommandResult } from '../command.js';
import { renderDiagnosis } from './render-diagnosis.js';
import { vmName, withConnection } from './vm-connection.js';

const DONE: Record<string, (name: string) => string> = {
  start: (n) => `Started VM "${n}". Its console: phyllo vm console ${n}`,
  kill: (n) => `Powered off VM "${n}".`,
  reboot: (n) => `Asked VM "${n}" to reboot (ACPI).`,
  pause: (n) => `Paused VM "${n}". Resume it: phyllo vm resume ${n}`,
  resume: (n) => `Resumed VM "${n}".`,
};

function result(data: PowerResult): CommandResult {
  return { data, human: () => DONE[data.operation]?.(data.name) ?? '' };
}

/** Starts the VM; when libvirt refuses, the diagnosis is printed before the error. */
export async function startCommand(ctx: CommandContext, name: string): Promise<PowerResult> {
  return withConnection(ctx, async (lv) => {
    try {
      return await startVm(lv, name);
    } catch (err) {
      if (err instanceof VmStartError && err.diagnosis && !ctx.json)
        ctx.progress.write(renderDiagnosis(err.diagnosis) + '\n');
      throw err;
    }
  });
}

export const start: CommandModule = {
  run: async (ctx) => result(await startCommand(ctx, vmName(ctx))),
};

const simple = (op: 'kill' | 'reboot' | 'pause' | 'resume'): CommandModule => ({
  run: async (ctx) => result(await withConnection(ctx, (lv) => powerVm(lv, vmName(ctx), op))),
});

export const kill = simple('kill');
export const reboot = simple('reboot');
export const pause = simple('pause');
export const resume = simple('resume');

export const autostart: CommandModule = {
  run: async (ctx) => {
    const on = ctx.positionals[1] === 'on';
    const data = await withConnection(ctx, (lv) => setVmAutostart(lv, vmName(ctx), on));
    return {
      data,
      human: () =>
        data.autostart
          ? `VM "${data.name}" starts with the host.`
          : `VM "${data.name}" no longer starts with the host.`,
    };
  },
};
