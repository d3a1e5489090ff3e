import type { Domain, DomainState, Libvirt } from '../libvirt/index.js';
import { findVm } from './find-vm.js';
import { diagnoseVm } from './diagnose-vm.js';
import { VmStartError } from './power-errors.js';
import { refusal, type PowerOperation } from './power-rules.js';
import { clearStartFailure, readStartFailure, recordStartFailure } from './start-failure.js';
import { withVmLock } from './vm-lock.js';

/** What a power command did: the VM and the state it is in now. */
export interface PowerResult {
  name: string;
  operation: PowerOperation | 'autostart';
  state: DomainState;
}

/** Looks the VM up, takes its lock, refuses a state the operation does not accept, and runs `act`. */
export async function withPowerState<T>(
  lv: Libvirt,
  name: string,
  operation: PowerOperation,
  act: (dom: Domain, state: DomainState) => Promise<T>,
): Promise<T> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, operation, async () => {
    const { state } = await dom.state();
    const refused = refusal(dom.name, operation, state);
    if (refused) throw refused;
    return act(dom, state);
  });
}

/**
 * Starts a shut-off VM. When libvirt refuses, the error is kept in the VM's metadata (for `vm
 * diagnose`) and the VmStartError carries the diagnosis; a start that works forgets an old failure.
 */
export async function startVm(lv: Libvirt, name: string): Promise<PowerResult> {
  return withPowerState(lv, name, 'start', async (dom) => {
    const hadFailure = readStartFailure(dom);
    try {
      await dom.start();
    } catch (err) {
      await hadFailure;
      const message = (err instanceof Error ? err.message : String(err)).trimEnd();
      await recordStartFailure(dom, message);
      const diagnosis = await diagnoseVm(lv, dom).catch(() => undefined);
      throw new VmStartError(dom.name, err, diagnosis);
    }
    if (await hadFailure) await clearStartFailure(dom);
    return { name: dom.name, operation: 'start', state: 'running' };
  });
}

const ACTS: Record<
  'kill' | 'reboot' | 'pause' | 'resume',
  { run: (d: Domain) => Promise<void>; after: DomainState }
> = {
  kill: { run: (d) => d.destroy(), after: 'shutoff' },
  reboot: { run: (d) => d.reboot(), after: 'running' },
  pause: { run: (d) => d.suspend(), after: 'paused' },
  resume: { run: (d) => d.resume(), after: 'running' },
};

/** `kill` (power off now), `reboot` (ACPI reboot), `pause`, `resume`. */
export async function powerVm(lv: Libvirt, name: string, operation: keyof typeof ACTS): Promise<PowerResult> {
  const { run, after } = ACTS[operation];
  return withPowerState(lv, name, operation, async (dom) => {
    await run(dom);
    return { name: dom.name, operation, state: after };
  });
}

/** Turns starting the VM with the host on or off. */
export async function setVmAutostart(
  lv: Libvirt,
  name: string,
  on: boolean,
): Promise<PowerResult & { autostart: boolean }> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, 'autostart', async () => {
    await dom.setAutostart(on);
    const [autostart, { state }] = await Promise.all([dom.autostart(), dom.state()]);
    return { name: dom.name, operation: 'autostart', state, autostart };
  });
}
