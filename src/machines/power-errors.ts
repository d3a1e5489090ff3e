import { PhyllomeError } from '../errors.js';
import type { Diagnosis } from './diagnose-vm.js';

/** libvirt (or QEMU through it) refused to start the VM; `diagnosis` says why in plain words. */
export class VmStartError extends PhyllomeError {
  override name = 'VmStartError';
  constructor(
    vm: string,
    cause: unknown,
    readonly diagnosis: Diagnosis | undefined,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const first = diagnosis?.findings.find((f) => f.severity === 'problem' && f.id !== 'start.failed');
    super('vm-start-failed', `VM "${vm}" did not start: ${why}`, {
      cause,
      hint: first
        ? `${first.summary}. ${first.fix} (all findings: phyllo vm diagnose ${vm})`
        : `See what is wrong: phyllo vm diagnose ${vm}`,
    });
  }

  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { diagnosis?: Diagnosis } {
    return { ...super.toJSON(), ...(this.diagnosis ? { diagnosis: this.diagnosis } : {}) };
  }
}

/** The guest did not power off within the timeout after the ACPI power button (and no --force). */
export class ShutdownTimeoutError extends PhyllomeError {
  override name = 'ShutdownTimeoutError';
  constructor(vm: string, seconds: number) {
    super('shutdown-timeout', `VM "${vm}" is still running ${seconds} s after the ACPI power button.`, {
      hint: `The guest may ignore ACPI (no acpid, a dialog waiting). Wait longer with --timeout, or power it off: phyllo vm shutdown ${vm} --force (or phyllo vm kill ${vm}).`,
    });
  }
}

/** The connection to libvirt ended before the VM reached the state waited for. */
export class WaitLostError extends PhyllomeError {
  override name = 'WaitLostError';
  constructor(vm: string, waitingFor: string, cause: unknown) {
    super(
      'connection-lost',
      `Lost the connection to libvirt while waiting for VM "${vm}" to ${waitingFor}.`,
      {
        cause,
        hint: 'The VM keeps doing what it was asked; check it with `phyllo vm list` once libvirt answers again.',
      },
    );
  }
}
