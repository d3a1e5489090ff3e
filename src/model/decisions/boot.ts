import type { OsSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

export const DEFAULT_KERNEL_CMDLINE = 'console=ttyS0';

/** Direct kernel boot when a kernel is given; otherwise the install media first, then the disk. */
export function decideBoot(
  ctx: ModelContext,
): Decision<Pick<OsSpec, 'kernel' | 'initrd' | 'cmdline' | 'boot'>> {
  const { options } = ctx;
  if (options.kernel) {
    const choice: Pick<OsSpec, 'kernel' | 'initrd' | 'cmdline' | 'boot'> = {
      kernel: options.kernel,
      cmdline: options.cmdline ?? DEFAULT_KERNEL_CMDLINE,
      boot: [],
    };
    if (options.initrd) choice.initrd = options.initrd;
    return {
      choice,
      reason: `direct kernel boot of ${options.kernel}${options.initrd ? ' with its initrd' : ''}`,
    };
  }
  if (options.iso)
    return { choice: { boot: ['cdrom', 'hd'] }, reason: 'the install ISO first, then the disk' };
  return { choice: { boot: ['hd'] }, reason: 'boot from the disk' };
}
