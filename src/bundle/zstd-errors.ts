import { PhyllomeError } from '../errors.js';
import { BundleInvalidError } from './errors.js';

/** The `zstd` program is not installed (or not where we were told): bundles are compressed with it. */
export class ZstdMissingError extends PhyllomeError {
  override name = 'ZstdMissingError';
  constructor(binary: string, cause?: unknown) {
    super('zstd-missing', `The zstd program (${binary}) was not found: compressed bundles need it`, {
      ...(cause === undefined ? {} : { cause }),
      // An installed phyllo has no set-up script to name (the checkout's set-up installs the package too).
      hint: "Install Debian's zstd package (`sudo apt-get install zstd`), then try again.",
    });
  }
}

/** The compressed data of a bundle is damaged (corrupt, cut short, or not zstd at all). */
export class CompressedDataError extends BundleInvalidError {
  override name = 'CompressedDataError';
  /** zstd's own words (its stderr, trimmed), when it said something. */
  readonly reason: string;
  constructor(reason: string, cause?: unknown) {
    super(
      `The bundle's compressed data is damaged` + (reason ? `: zstd says "${reason}"` : ''),
      cause === undefined ? {} : { cause },
    );
    this.reason = reason;
  }
}

/**
 * A bundle decompresses to more than it may (its manifest gives the size): a small file that would fill
 * the disk. Decompression was stopped there.
 */
export class BundleTooLargeError extends PhyllomeError {
  override name = 'BundleTooLargeError';
  readonly limit: number;
  constructor(limit: number) {
    super('bundle-too-large', `The bundle decompresses to more than the ${limit} bytes it may hold`, {
      hint: 'The bundle is damaged or was not made by Phyllome: do not import it. Export it again from its source.',
    });
    this.limit = limit;
  }
}

/** zstd failed while compressing (not for the data's sake: a write error, a crash, a signal). */
export class ZstdFailedError extends PhyllomeError {
  override name = 'ZstdFailedError';
  constructor(reason: string, cause?: unknown) {
    super('zstd-failed', `zstd failed: ${reason}`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Check free memory and disk space, then try again.',
    });
  }
}

/**
 * The (de)compression was cancelled through its AbortSignal; zstd was stopped. Named `AbortError`, as
 * Node names the errors of an aborted stream, so code that checks for a cancel recognises it.
 */
export class ZstdCancelledError extends PhyllomeError {
  override name = 'AbortError';
  constructor(cause?: unknown) {
    super('cancelled', 'The compression was cancelled', {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Nothing more was written; run the command again when you want it.',
    });
  }
}
