/**
 * The base of every error Phyllome raises on purpose: a stable `code` for programs,
 * a user-facing `message` that never contains a secret, an optional `hint` naming the next step,
 * and the original error as `cause`.
 */
export class PhyllomeError extends Error {
  override name = 'PhyllomeError';
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint
      ? { code: this.code, message: this.message, hint: this.hint }
      : { code: this.code, message: this.message };
  }
}

/** Bad input from the user: a flag, a name, a value. Nothing was changed. */
export class InvalidInputError extends PhyllomeError {
  override name = 'InvalidInputError';
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('invalid-input', message, options);
  }
}

/** What the CLI prints with --json and the API answers, under "error". */
export interface ErrorShape {
  code: string;
  message: string;
  hint?: string;
}

/** The shape of any error; `unexpected` when it is not one Phyllome raised on purpose (a bug). */
export function errorShape(err: unknown): { shape: ErrorShape; unexpected: boolean } {
  if (err instanceof PhyllomeError) return { shape: err.toJSON(), unexpected: false };
  if (err && typeof err === 'object' && 'code' in err && 'message' in err && typeof err.code === 'string') {
    const e = err as ErrorShape;
    return {
      shape: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
      unexpected: false,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    shape: {
      code: 'internal',
      message,
      hint: 'This is a bug in Phyllome: please report it with the command you ran.',
    },
    unexpected: true,
  };
}
