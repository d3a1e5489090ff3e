import { PhyllomeError } from '../errors.js';

/** The disk to copy is not a storage volume libvirt knows (copies go through libvirt, so it must be one). */
export class DiskNotFoundError extends PhyllomeError {
  override name = 'DiskNotFoundError';
  constructor(path: string, cause?: unknown) {
    super('disk-not-found', `The disk ${path} is not a storage volume libvirt knows`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Give the path of a volume in a storage pool (`virsh vol-list POOL --details` lists them); a file outside every pool must be added to a pool first.',
    });
  }
}

/** The target pool already holds a volume of that name: nothing was written. */
export class VolumeExistsError extends PhyllomeError {
  override name = 'VolumeExistsError';
  constructor(pool: string, name: string) {
    super('volume-exists', `The pool "${pool}" already has a volume named "${name}"`, {
      hint: 'Pick another name, or delete the old volume first (`virsh vol-delete --pool POOL NAME`).',
    });
  }
}

/** The target pool has too little room for the copy (seen before starting, or when a write failed). */
export class PoolFullError extends PhyllomeError {
  override name = 'PoolFullError';
  constructor(pool: string, needed: bigint | undefined, available: bigint | undefined, cause?: unknown) {
    const sizes =
      needed !== undefined && available !== undefined
        ? ` (the copy needs ${mib(needed)} MiB, ${mib(available)} MiB are free)`
        : '';
    super('pool-full', `The storage pool "${pool}" has no room for the disk copy${sizes}`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Free space in the pool (`virsh pool-info POOL`), or copy into another pool. Nothing of the copy was left behind.',
    });
  }
}

/**
 * A disk copy failed for another reason (libvirt refused, the connection broke). `leftBehind` names
 * what the undo could not remove.
 */
export class DiskCopyError extends PhyllomeError {
  override name = 'DiskCopyError';
  readonly leftBehind: string[];
  constructor(source: string, target: string, cause: unknown, leftBehind: string[] = []) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'disk-copy-failed',
      `Could not copy the disk ${source} to ${target}: ${why}` +
        (leftBehind.length ? `. Left behind: ${leftBehind.join('; ')}` : ''),
      {
        cause,
        hint: leftBehind.length
          ? 'Remove what was left behind by hand (`virsh vol-delete --pool POOL NAME`), then try again.'
          : 'Nothing of the copy was left behind. Check the message above and try again.',
      },
    );
    this.leftBehind = leftBehind;
  }
}

function mib(n: bigint): string {
  return (Number(n) / 2 ** 20).toFixed(1);
}
