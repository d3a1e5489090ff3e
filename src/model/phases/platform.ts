import type { GuestOs } from '../../catalog/guest-os.js';
import type { ModelContext, NormalizedOptions } from '../decisions/context.js';
import { decideCpu } from '../decisions/cpu.js';
import { decideDomainType } from '../decisions/domain-type.js';
import { decideFirmware } from '../decisions/firmware.js';
import { decideMachine } from '../decisions/machine.js';
import type { ModelHostFacts } from '../host-facts.js';
import type { DecisionLog } from './decision-log.js';

/** What the guest runs on: domain type (KVM or TCG), machine type, firmware and CPU. */
export function decidePlatform(
  guest: GuestOs,
  options: NormalizedOptions,
  host: ModelHostFacts,
  log: DecisionLog,
) {
  const dt = decideDomainType(host);
  const warnings: string[] = dt.warning ? [dt.warning] : [];
  log.note('domain-type', dt.choice, dt.reason);
  const hasDrivers = options.drivers !== undefined;
  const ctx: ModelContext = {
    guest,
    profile: guest.profile,
    host,
    options,
    domainType: dt.choice,
    caps: host.domainCaps[dt.choice],
    virtioDisk: guest.virtio.disk || hasDrivers,
    virtioNet: guest.virtio.net || hasDrivers,
    warnings,
  };
  const machine = log.take('machine', decideMachine(guest.profile, host), (c) => c.machine);
  const firmware = log.take('firmware', decideFirmware(ctx, machine.canonical), (c) =>
    c.firmware === 'efi' ? `efi${c.secureBoot ? ' + secure boot' : ''}` : 'bios',
  );
  const cpu = log.take('cpu', decideCpu(ctx), (c) => (c.model ? `${c.mode} ${c.model}` : c.mode));
  return { ctx, machine, firmware, cpu };
}

export type Platform = ReturnType<typeof decidePlatform>;
