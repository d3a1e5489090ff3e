import { PhyllomeError } from '../errors.js';

const DAMAGED_HINT =
  'The file is not a Phyllome bundle, or it was damaged on the way: nothing was created. Export the VM again, or copy the file again and compare its size.';

/**
 * A bundle that is not one, or is damaged, or was made to do harm: nothing was created. The message
 * names the entry (or the manifest's field) and what is wrong with it.
 */
export class BundleInvalidError extends PhyllomeError {
  override name = 'BundleInvalidError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('bundle-invalid', message, { ...options, hint: DAMAGED_HINT });
  }
}

/** Why a bundle's tar stream was refused: stable words a caller or a test can match on. */
export type BundleFormatReason =
  | 'checksum'
  | 'header'
  | 'size-field'
  | 'entry-type'
  | 'name'
  | 'duplicate-name'
  | 'truncated'
  | 'padding'
  | 'trailing-data'
  | 'too-many-entries'
  | 'too-large'
  | 'pax-record'
  | 'pax-size'
  | 'sparse-version'
  | 'sparse-map';

/**
 * A bundle's tar stream broke one of the reader's rules (`src/bundle/tar-reader.ts`). Nothing after
 * the refused header was handed on. The message names the entry (or the byte offset when no entry
 * name is known yet) and the reason in words; `reason` says it as a stable word for programs.
 */
export class BundleFormatError extends BundleInvalidError {
  override name = 'BundleFormatError';
  readonly reason: BundleFormatReason;
  constructor(
    reason: BundleFormatReason,
    detail: string,
    where: { entry?: string; offset?: number },
    options: { cause?: unknown } = {},
  ) {
    const at =
      where.entry !== undefined
        ? `entry "${printable(where.entry)}"`
        : `the header at byte ${where.offset ?? 0}`;
    super(`Bundle refused at ${at}: ${detail}.`, options);
    this.reason = reason;
  }
}

/**
 * An entry of the tar writer got more or fewer bytes than its header declared: the source changed
 * size while it was being written (a disk grew), so the archive is unusable.
 */
export class TarEntrySizeError extends PhyllomeError {
  override name = 'TarEntrySizeError';
  constructor(entry: string, declared: number, got: number) {
    super(
      'bundle-entry-size',
      `The bundle entry "${entry}" was declared as ${declared} bytes but ${got > declared ? 'more' : `only ${got}`} were written.`,
      { hint: 'Its source changed while it was being exported: stop the VM and export it again.' },
    );
  }
}

/** A hostile name could hold control characters: show them escaped, and only the first 200. */
function printable(name: string): string {
  const cut = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return JSON.stringify(cut).slice(1, -1);
}
