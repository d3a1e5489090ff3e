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

/**
 * A step of creating a VM failed (libvirt refused the network, pool, disk or domain). Whatever the
 * operation had created was undone; `leftBehind` names what could not be (with the undo's error),
 * and the hint says so instead of promising a clean host. `cause` is the original failure.
 */
export class VmCreateError extends PhyllomeError {
  override name = 'VmCreateError';
  readonly leftBehind: string[];
  constructor(vm: string, step: string, cause: unknown, leftBehind: string[] = []) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'vm-create-failed',
      `Could not create VM "${vm}" (${step}): ${why}` +
        (leftBehind.length ? `. Left behind: ${leftBehind.join('; ')}` : ''),
      {
        cause,
        hint: leftBehind.length
          ? 'Remove what was left behind by hand (virsh net-undefine / pool-undefine / vol-delete), then try again.'
          : 'Nothing was left behind. Check the message above; `phyllo host check` lists missing host parts.',
      },
    );
    this.leftBehind = leftBehind;
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
