import type { DomainSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** ACPI S3/S4 for guests that resume reliably; off for the rest so a suspend cannot strand them. */
export function decidePower(ctx: ModelContext): Decision<DomainSpec['pm']> {
  const on = ctx.profile.suspend;
  return {
    choice: { suspendToMem: on, suspendToDisk: on },
    reason: on
      ? 'S3 and S4 on: the guest can suspend to memory and hibernate'
      : `S3 and S4 off: ${ctx.guest.name} does not resume reliably from them in a VM`,
  };
}
