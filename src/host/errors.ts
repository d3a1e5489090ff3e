import { PhyllomeError } from '../errors.js';

/** `--root` does not name a host's root file system: nothing was probed. */
export class HostRootError extends PhyllomeError {
  override name = 'HostRootError';
  constructor(
    readonly root: string,
    /** What is wrong, e.g. `does not exist`, `has no sys/ directory`. */
    readonly problem: string,
  ) {
    super('host-root-invalid', `The host root ${root} ${problem}`, {
      hint: '--root needs the root directory of a host, holding its proc/ and sys/ (a mounted copy or a fixture tree); leave it out to probe this computer.',
    });
  }
}
