import { PhyllomeError } from '../errors.js';
import type { Diagnosis } from './diagnose-vm.js';

/** What `vm create --start` had made before the start failed: it stays, defined and shut off. */
export interface CreatedVmRef {
  name: string;
  uuid: string;
  /** The disk image created for it, kept with it. */
  disk?: string;
}

/**
 * libvirt (or QEMU through it) refused to start the VM; `diagnosis` says why in plain words. With
 * `created` (a `vm create --start` whose start failed) the message and hint say the VM was created
 * and stays defined, and `--json` carries it as `created`.
 */
export class VmStartError extends PhyllomeError {
  override name = 'VmStartError';
  constructor(
    readonly vm: string,
    cause: unknown,
    readonly diagnosis: Diagnosis | undefined,
    readonly created?: CreatedVmRef,
  ) {
    const why = (cause instanceof Error ? cause.message : String(cause)).trimEnd();
    const first = diagnosis?.findings.find((f) => f.severity === 'problem' && f.id !== 'start.failed');
    const look = first
      ? `${first.summary}. ${first.fix} (all findings: phyllo vm diagnose ${vm})`
      : `See what is wrong: phyllo vm diagnose ${vm}`;
    super(
      'vm-start-failed',
      created ? `VM "${vm}" was created but did not start: ${why}` : `VM "${vm}" did not start: ${why}`,
      {
        cause,
        hint: created
          ? `It stays defined, shut off${created.disk ? `, with its disk ${created.disk}` : ''}. ${look}. Then start it: phyllo vm start ${vm}`
          : look,
      },
    );
  }

  /** The same failure, as the start step of `vm create --start` that created `vm`. */
  afterCreate(vm: CreatedVmRef): VmStartError {
    return new VmStartError(this.vm, this.cause, this.diagnosis, vm);
  }

  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { diagnosis?: Diagnosis; created?: CreatedVmRef } {
    return {
      ...super.toJSON(),
      ...(this.diagnosis ? { diagnosis: this.diagnosis } : {}),
      ...(this.created ? { created: this.created } : {}),
    };
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
