import { hostLabel } from '../host-facts.js';
import type { DomainSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';
import type { FirmwareChoice } from './firmware.js';

/**
 * ACPI S3/S4 for guests that resume reliably, as far as the firmware supports them: libvirt refuses
 * UEFI firmware whose descriptor lacks `acpi-s3`/`acpi-s4` when the domain enables them.
 */
export function decidePower(ctx: ModelContext, fw: FirmwareChoice): Decision<DomainSpec['pm']> {
  if (!ctx.profile.suspend)
    return {
      choice: { suspendToMem: false, suspendToDisk: false },
      reason: `S3 and S4 off: ${ctx.guest.name} does not resume reliably from them in a VM`,
    };
  const efi = fw.firmware === 'efi';
  if (efi && fw.featuresUnknown)
    return {
      choice: { suspendToMem: false, suspendToDisk: false },
      reason: `S3 and S4 off: the firmware's acpi-s3/acpi-s4 features are unknown on ${hostLabel(ctx.host)}, and libvirt refuses firmware that lacks them`,
    };
  const s3 = !efi || (fw.features ?? []).includes('acpi-s3');
  const s4 = !efi || (fw.features ?? []).includes('acpi-s4');
  const missing = [s3 ? '' : 'S3', s4 ? '' : 'S4'].filter(Boolean);
  return {
    choice: { suspendToMem: s3, suspendToDisk: s4 },
    reason:
      missing.length === 0
        ? 'S3 and S4 on: the guest can suspend to memory and hibernate'
        : `${s3 ? 'S3 on' : 'S3 off'}, ${s4 ? 'S4 on' : 'S4 off'}: the UEFI firmware (${fw.descriptor}) does not declare ${missing.map((m) => `acpi-${m.toLowerCase()}`).join(' or ')}, and libvirt would refuse it`,
  };
}
