import { PhyllomeError } from '../errors.js';

/** The stable codes of a command line the CLI cannot run (docs/cli.md lists them). */
export type UsageErrorCode =
  | 'unknown-command'
  | 'unknown-option'
  | 'missing-value'
  | 'invalid-value'
  | 'missing-argument'
  | 'extra-argument';

/** A command line that names no command, or breaks its command's declared options and arguments. */
export class UsageError extends PhyllomeError {
  override name = 'UsageError';
  declare readonly code: UsageErrorCode;
  constructor(code: UsageErrorCode, message: string, hint: string) {
    super(code, message, { hint });
  }
}
