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

/** `--iso` without `--os`, and the medium matches no installer medium osinfo-db knows. */
export class UnknownMediumError extends PhyllomeError {
  override name = 'UnknownMediumError';
  constructor(
    readonly path: string,
    readonly volumeId: string | undefined,
  ) {
    super(
      'unknown-medium',
      volumeId === undefined
        ? `Cannot tell which OS ${path} installs: it has no ISO 9660 volume descriptor to identify it by`
        : `Cannot tell which OS ${path} installs: its volume id "${volumeId}" matches no installer medium in osinfo-db`,
      {
        hint: 'Say which OS it is with --os ID: `phyllo os list` lists the profiles, `phyllo os list --all` every osinfo-db id (a newer osinfo-db package may know this medium).',
      },
    );
  }
}
