import { InvalidInputError } from '../../errors.js';
import { openVmConsole } from '../../machines/open-vm-console.js';
import type { CommandContext, CommandResult } from '../command.js';
import { attachConsole, type ConsoleEnd } from '../console-attach.js';
import { vmName, withConnection } from './vm-connection.js';

const ENDS: Record<ConsoleEnd, string> = {
  escape: 'Left the console (Ctrl-]); the VM keeps running.',
  stopped: 'The VM stopped; the console closed.',
  lost: 'The connection to libvirt was lost.',
  signal: 'Interrupted; the VM keeps running.',
  'input-closed': 'The input ended; the VM keeps running.',
};

/** Attaches this terminal to a VM's serial console (used by `vm console` and `vm create --console`). */
export async function consoleSession(
  ctx: CommandContext,
  lv: Parameters<Parameters<typeof withConnection>[1]>[0],
  name: string,
): Promise<{ name: string; ended: ConsoleEnd }> {
  const c = await openVmConsole(lv, name, { force: ctx.values.force === true });
  try {
    // The banner comes once SIGINT/SIGTERM are handled: whoever sees it may signal at once.
    const ended = await attachConsole(
      c.stream,
      { stdin: process.stdin, stdout: process.stdout },
      c.watch.stopped,
      () => {
        if (!ctx.json) ctx.progress.write(`Connected to the console of "${c.name}" (escape: Ctrl-])\n`);
      },
    );
    if (!ctx.json) ctx.progress.write(`\r\n${ENDS[ended]}\n`);
    return { name: c.name, ended };
  } finally {
    c.watch.close();
  }
}

/** `phyllo vm console NAME`: the serial console in this terminal; Ctrl-] leaves. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  if (ctx.json && process.stdout.isTTY)
    throw new InvalidInputError('--json and an interactive console do not mix', {
      hint: 'Leave out --json; the console writes the guest output to the terminal.',
    });
  const data = await withConnection(ctx, (lv) => consoleSession(ctx, lv, vmName(ctx)));
  return { data, human: () => '' };
}
