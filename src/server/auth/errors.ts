import { PhyllomeError } from '../../errors.js';

export class UnauthorizedError extends PhyllomeError {
  override name = 'UnauthorizedError';
  constructor() {
    super('unauthorized', 'Log in first: this API needs a session cookie or the API token.', {
      hint: 'Open the login link `phyllo serve` printed, or send `Authorization: Bearer TOKEN` (the token is in the file `phyllo serve` names).',
    });
  }
}

export class OriginNotAllowedError extends PhyllomeError {
  override name = 'OriginNotAllowedError';
  constructor(what: string) {
    super('origin-not-allowed', `Refused: ${what}.`, {
      hint: 'Use the API from the address phyllo serve listens on, or add that origin with --origin URL.',
    });
  }
}
