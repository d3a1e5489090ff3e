import { PhyllomeError } from '../errors.js';

/**
 * A step of a clone, snapshot or delete failed. What the operation had changed was undone (the
 * source VM's old definition restored); `leftBehind` names what could not be, and `cause` is the
 * original failure.
 */
export class VmChangeError extends PhyllomeError {
  override name = 'VmChangeError';
  readonly leftBehind: string[];
  constructor(code: string, what: string, step: string, cause: unknown, leftBehind: string[] = []) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      code,
      `Could not ${what} (${step}): ${why}` +
        (leftBehind.length ? `. Left behind: ${leftBehind.join('; ')}` : ''),
      {
        cause,
        hint: leftBehind.length
          ? 'Remove what was left behind by hand (virsh vol-delete / undefine), then try again.'
          : 'Nothing was changed. Check the message above.',
      },
    );
    this.leftBehind = leftBehind;
  }
}

/** No snapshot of that name on the VM. */
export class SnapshotNotFoundError extends PhyllomeError {
  override name = 'SnapshotNotFoundError';
  constructor(vm: string, snap: string, known: string[]) {
    super('snapshot-not-found', `VM "${vm}" has no snapshot named "${snap}".`, {
      hint: known.length
        ? `Its snapshots: ${known.join(', ')}.`
        : 'It has no snapshots: `phyllo vm snapshot create NAME SNAP` makes one.',
    });
  }
}

/** A snapshot of that name exists already. */
export class SnapshotExistsError extends PhyllomeError {
  override name = 'SnapshotExistsError';
  constructor(vm: string, snap: string) {
    super('snapshot-exists', `VM "${vm}" already has a snapshot named "${snap}".`, {
      hint: 'Pick another name, or delete the old snapshot first.',
    });
  }
}
