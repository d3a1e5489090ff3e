import { setTimeout as sleep } from 'node:timers/promises';
import type { Libvirt } from '../libvirt/index.js';
import { startJob, type Job } from '../jobs/job.js';
import { ShutdownTimeoutError, WaitLostError } from './power-errors.js';
import { withPowerState, type PowerResult } from './vm-power.js';
import { watchStopped } from './watch-stopped.js';

export const DEFAULT_SHUTDOWN_TIMEOUT_S = 120;

export interface ShutdownOptions {
  /** How long to wait for the guest after the ACPI power button. */
  timeoutS?: number;
  /** Power off when the guest has not stopped by then. */
  force?: boolean;
}

export interface ShutdownResult extends PowerResult {
  /** The guest did not answer ACPI in time and was powered off. */
  forced: boolean;
  /** How long it took, in milliseconds. */
  ms: number;
}

/**
 * Shuts a VM down as a job: presses the ACPI power button and waits for libvirt's "stopped" event
 * (progress: seconds waited of the timeout). After the timeout: power off with `force`, else a
 * ShutdownTimeoutError (the VM keeps running). Cancelling stops the wait, not the guest's shutdown.
 */
export function shutdownVm(lv: Libvirt, name: string, opts: ShutdownOptions = {}): Job<ShutdownResult> {
  const timeoutS = opts.timeoutS ?? DEFAULT_SHUTDOWN_TIMEOUT_S;
  return startJob('shutdown', ({ signal, progress }) =>
    withPowerState(lv, name, 'shutdown', async (dom) => {
      const began = Date.now();
      const watch = await watchStopped(lv, dom);
      try {
        progress('pressing the ACPI power button', 0, timeoutS, 'seconds');
        await dom.shutdown();
        // It may have stopped between the state check and the subscription.
        const stopped = watch.stopped.then(() => true);
        const { state } = await dom.state().catch(() => ({ state: 'unknown' as const }));
        if (state === 'shutoff') return result(false);
        const ticker = new AbortController();
        const tick = (async () => {
          for (let s = 1; s <= timeoutS; s++) {
            await sleep(1000, undefined, { signal: ticker.signal });
            progress('waiting for the guest to power off', s, timeoutS, 'seconds');
          }
          return false;
        })().catch(() => false);
        const aborted = new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
        let done: boolean;
        try {
          done = await Promise.race([stopped, tick, aborted]);
        } catch (err) {
          if (signal.aborted) throw err;
          throw new WaitLostError(dom.name, 'shut down', err);
        } finally {
          ticker.abort();
        }
        if (done) return result(false);
        if (!opts.force) throw new ShutdownTimeoutError(dom.name, timeoutS);
        progress('powering off', timeoutS, timeoutS, 'seconds');
        await dom.destroy().catch(async (err: unknown) => {
          // It stopped on its own in the meantime: fine.
          if ((await dom.state()).state !== 'shutoff') throw err;
        });
        return result(true);
      } finally {
        watch.close();
      }
      function result(forced: boolean): ShutdownResult {
        return { name: dom.name, operation: 'shutdown', state: 'shutoff', forced, ms: Date.now() - began };
      }
    }),
  );
}
