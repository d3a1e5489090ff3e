import { PhyllomeError } from '../errors.js';

/** The OS id is neither a Phyllome profile nor an osinfo-db short id. */
export class UnknownOsError extends PhyllomeError {
  override name = 'UnknownOsError';
  constructor(
    readonly osId: string,
    opts: { cause?: unknown; hint?: string } = {},
  ) {
    super('unknown-os', `Unknown operating system: ${osId}`, {
      hint: 'Run `phyllo os list` for the profiles, or `phyllo os list --all` for every osinfo-db id.',
      ...opts,
    });
  }
}
