import { PhyllomeError } from '../errors.js';

/** A VM of that name is already defined: nothing was created. */
export class VmExistsError extends PhyllomeError {
  override name = 'VmExistsError';
  constructor(vm: string) {
    super('vm-exists', `A VM named "${vm}" already exists.`, {
      hint: 'Pick another name, or remove the old VM first.',
    });
  }
}

/** libvirt refused the domain or its disk: whatever this operation created was removed again. */
export class VmCreateError extends PhyllomeError {
  override name = 'VmCreateError';
  constructor(vm: string, step: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('vm-create-failed', `Could not create VM "${vm}" (${step}): ${why}`, {
      cause,
      hint: 'Nothing was left behind. Check the message above; `phyllo host check` lists missing host parts.',
    });
  }
}

/** The network a VM should join does not exist and Phyllome does not create it. */
export class NetworkMissingError extends PhyllomeError {
  override name = 'NetworkMissingError';
  constructor(network: string) {
    super('network-missing', `The libvirt network "${network}" does not exist.`, {
      hint: 'Create it first (virsh net-define), or leave out --network to use the default NAT network.',
    });
  }
}
