import type { DomainState } from '../libvirt/index.js';
import { VmStateError } from './errors.js';

/** What `phyllo vm` can do to a VM's power. */
export type PowerOperation = 'start' | 'shutdown' | 'kill' | 'reboot' | 'pause' | 'resume';

const RUNNING: readonly DomainState[] = ['running', 'blocked'];
const ACTIVE: readonly DomainState[] = ['running', 'blocked', 'paused', 'shutdown', 'pmsuspended', 'crashed'];

/** The states each operation accepts. */
const ACCEPTS: Record<PowerOperation, readonly DomainState[]> = {
  start: ['shutoff', 'crashed'],
  shutdown: [...RUNNING, 'shutdown'],
  kill: ACTIVE,
  reboot: RUNNING,
  pause: RUNNING,
  resume: ['paused'],
};

/**
 * Why `operation` cannot be done to a VM in `state` (a `vm-wrong-state` error whose hint names the
 * command that fits), or undefined when it can. Pure.
 */
export function refusal(vm: string, operation: PowerOperation, state: DomainState): VmStateError | undefined {
  if (ACCEPTS[operation].includes(state)) return undefined;
  const off = state === 'shutoff';
  const paused = state === 'paused';
  switch (operation) {
    case 'start':
      return new VmStateError(
        vm,
        state,
        'it is already started',
        paused ? `Resume it: phyllo vm resume ${vm}` : `See it: phyllo vm console ${vm}`,
      );
    case 'shutdown':
      return new VmStateError(
        vm,
        state,
        off ? 'there is nothing to shut down' : 'a paused guest cannot answer the ACPI power button',
        off
          ? `Start it: phyllo vm start ${vm}`
          : `Resume it first (phyllo vm resume ${vm}), or power it off: phyllo vm kill ${vm}`,
      );
    case 'kill':
      return new VmStateError(vm, state, 'there is nothing to power off', `Start it: phyllo vm start ${vm}`);
    case 'reboot':
      return new VmStateError(
        vm,
        state,
        'only a running guest can reboot',
        off ? `Start it: phyllo vm start ${vm}` : `Resume it first: phyllo vm resume ${vm}`,
      );
    case 'pause':
      return new VmStateError(
        vm,
        state,
        paused ? 'it is already paused' : 'only a running VM can be paused',
        paused ? `Resume it: phyllo vm resume ${vm}` : `Start it: phyllo vm start ${vm}`,
      );
    case 'resume':
      return new VmStateError(
        vm,
        state,
        'only a paused VM can be resumed',
        off ? `Start it: phyllo vm start ${vm}` : `It is not paused; pause it with: phyllo vm pause ${vm}`,
      );
  }
}

/**
 * Why `what` (`the serial console`, `a screenshot`) cannot be had from a VM in `state`: it needs the
 * VM running or paused. Undefined when it can.
 */
export function notRunning(vm: string, state: DomainState, what: string): VmStateError | undefined {
  if ([...RUNNING, 'paused'].includes(state)) return undefined;
  return new VmStateError(vm, state, `${what} needs a running VM`, `Start it: phyllo vm start ${vm}`);
}
