import type { Duplex } from 'node:stream';
import { ConsoleFlags, type Libvirt } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { findVm } from './find-vm.js';
import { notRunning } from './power-rules.js';
import { watchStopped, type StoppedWatch } from './watch-stopped.js';

/** libvirt would not open the console (another session holds it, no serial port). */
export class ConsoleUnavailableError extends PhyllomeError {
  override name = 'ConsoleUnavailableError';
  constructor(vm: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('console-unavailable', `Could not open the serial console of VM "${vm}": ${why}`, {
      cause,
      hint: `When another console session holds it, take it over with: phyllo vm console ${vm} --force`,
    });
  }
}

export interface VmConsole {
  name: string;
  stream: Duplex;
  /** libvirt's "stopped" event for the VM. */
  watch: StoppedWatch;
}

/** Opens a running (or paused) VM's serial console stream, watching for the VM to stop. */
export async function openVmConsole(
  lv: Libvirt,
  name: string,
  opts: { force?: boolean } = {},
): Promise<VmConsole> {
  const dom = await findVm(lv, name);
  const { state } = await dom.state();
  const refused = notRunning(dom.name, state, 'the serial console');
  if (refused) throw refused;
  const watch = await watchStopped(lv, dom);
  try {
    const stream = await dom.openConsole(null, opts.force ? ConsoleFlags.FORCE : ConsoleFlags.SAFE);
    return { name: dom.name, stream, watch };
  } catch (err) {
    watch.close();
    throw new ConsoleUnavailableError(dom.name, err);
  }
}
