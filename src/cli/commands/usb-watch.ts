import type { CommandContext, CommandResult } from '../command.js';
import { connect, defaultUri, ReconnectingClient } from '../../libvirt/index.js';
import { startUsbRules, type UsbRuleLogEntry } from '../../devices/usb-rules.js';

function line(e: UsbRuleLogEntry): string {
  const verb = { attached: 'attached', detached: 'detached', skipped: 'did not attach', failed: 'FAILED' }[
    e.action
  ];
  const to = e.action === 'detached' ? 'from' : 'to';
  return `${e.at}  ${verb} ${e.device} ${to} "${e.vm}"${e.rule ? ` (rule ${e.rule})` : ''}${e.reason ? `: ${e.reason}` : ''}`;
}

/**
 * `phyllo usb watch [--connect URI]`: the USB rule engine in the foreground until Ctrl-C. Each
 * attach and detach is a line on stdout (a JSON object per line with --json); the status goes to stderr.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const lv = await connect(uri, { reconnect: true });
  const print = (e: UsbRuleLogEntry) => process.stdout.write((ctx.json ? JSON.stringify(e) : line(e)) + '\n');
  try {
    const engine = await startUsbRules(lv, { log: print });
    // Events sent while the daemon was away are lost: what is plugged in then is looked at again.
    if (lv.rpc instanceof ReconnectingClient) lv.rpc.on('reconnected', () => void engine.resync());
    ctx.progress.write(`Watching USB devices on ${uri} for the VMs' USB rules. Ctrl-C stops.\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (s: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(s);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const attached = engine.attachments();
    await engine.stop();
    return {
      data: { stoppedBy: signal, attached },
      human: () =>
        `Stopped (${signal}).${attached.length ? ` Devices attached stay with their guests: ${attached.map((a) => `${a.device} on "${a.vm}"`).join(', ')}.` : ''}`,
    };
  } finally {
    await lv.close();
  }
}
