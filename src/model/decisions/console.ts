import type { DevicesSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** A serial console on every guest (`virsh console`, the browser's text console), optionally logged to a file. */
export function decideConsole(ctx: ModelContext): Decision<Pick<DevicesSpec, 'serials' | 'consoles'>> {
  const log = ctx.options.serialLog;
  return {
    choice: {
      serials: [log ? { type: 'pty', log } : { type: 'pty' }],
      consoles: [{ type: 'pty', target: 'serial' }],
    },
    reason: `a serial console on ttyS0${log ? `, also written to ${log}` : ''}`,
  };
}
