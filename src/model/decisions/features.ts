import type { FeaturesSpec } from '../spec.js';
import type { Decision } from './context.js';

/** ACPI and APIC always; SMM when the firmware requires it; no VMware port on the PC machine. */
export function decideFeatures(
  smm: boolean,
  machine: string,
): Decision<Omit<FeaturesSpec, 'hyperv' | 'extra'>> {
  const f: Omit<FeaturesSpec, 'hyperv' | 'extra'> = { acpi: true, apic: true };
  const why = ['ACPI and APIC'];
  if (smm) {
    f.smm = true;
    why.push('SMM (the Secure Boot firmware requires it)');
  }
  if (machine === 'pc') {
    f.vmportOff = true;
    why.push('no VMware I/O port');
  }
  return { choice: f, reason: why.join('; ') };
}
