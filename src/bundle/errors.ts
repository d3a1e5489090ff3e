import { PhyllomeError } from '../errors.js';

/**
 * A bundle that is not one, or is damaged, or was made to do harm: nothing was created. The message
 * names the entry (or the manifest's field) and what is wrong with it.
 */
export class BundleInvalidError extends PhyllomeError {
  override name = 'BundleInvalidError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('bundle-invalid', message, {
      ...options,
      hint: 'The file is not a Phyllome bundle, or it was damaged on the way: nothing was created. Export the VM again, or copy the file again and compare its size.',
    });
  }
}
