import { PhyllomeError } from '../errors.js';

/** A VM name that libvirt or a file system would reject. */
export class InvalidVmNameError extends PhyllomeError {
  override name = 'InvalidVmNameError';
  constructor(message: string) {
    super('invalid-name', message, {
      hint: 'Use 1-63 characters: letters, digits, and . _ + - (not first), e.g. `win11-work`.',
    });
  }
}

/** A value holding characters that have a meaning in XML (or control characters). */
export class UnsafeValueError extends PhyllomeError {
  override name = 'UnsafeValueError';
  constructor(option: string) {
    super(
      'unsafe-value',
      `The value of ${option} contains a character that is not allowed (< > & " ' or a control character)`,
      {
        hint: `Remove those characters from ${option}; for a path, rename or link the file.`,
      },
    );
  }
}

/** An option with a malformed or out-of-range value. */
export class InvalidOptionError extends PhyllomeError {
  override name = 'InvalidOptionError';
  constructor(message: string, hint?: string) {
    super('invalid-option', message, hint ? { hint } : {});
  }
}

export class MemoryBelowMinimumError extends PhyllomeError {
  override name = 'MemoryBelowMinimumError';
  /** `asked` as the user reads it: `512 MiB`. */
  constructor(osName: string, asked: string, minimumMiB: number) {
    super(
      'memory-below-minimum',
      `${osName} needs at least ${minimumMiB} MiB of memory; ${asked} was asked for`,
      {
        hint: `Use --memory ${minimumMiB}M or more.`,
      },
    );
  }
}

export class MemoryAboveHostError extends PhyllomeError {
  override name = 'MemoryAboveHostError';
  /** `asked` as the user reads it: `64 GiB`. */
  constructor(asked: string, hostMiB: number) {
    super('memory-above-host', `${asked} of memory was asked for, but the host only has ${hostMiB} MiB`, {
      hint: 'Use a smaller --memory, leaving the host at least a quarter of its memory.',
    });
  }
}

/** A file named by an option (ISO, drivers, kernel, initrd) does not exist. */
export class MissingFileError extends PhyllomeError {
  override name = 'MissingFileError';
  constructor(option: string, path: string) {
    super('missing-file', `The file given to ${option} does not exist: ${path}`, {
      hint: 'Check the path; it must be readable by the libvirt daemon too.',
    });
  }
}

/** The profile needs something the host does not have (swtpm, Secure Boot firmware, a machine type). */
export class HostMissingComponentError extends PhyllomeError {
  override name = 'HostMissingComponentError';
  constructor(message: string, debianPackage: string) {
    super('host-missing-component', message, {
      hint: `Install it: \`apt-get install ${debianPackage}\` (Debian package ${debianPackage}), then try again.`,
    });
  }
}
