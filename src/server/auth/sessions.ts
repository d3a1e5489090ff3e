import { createHash, timingSafeEqual } from 'node:crypto';
import { newSecret } from './token.js';

export interface SessionOptions {
  /** How long a one-time login code is good for (default 10 minutes). */
  codeTtlMs?: number;
  /** How long a browser session lasts (default 12 hours). */
  sessionTtlMs?: number;
  now?: () => number;
}

/** Compares two secrets in constant time (by their hashes, so lengths need not match). */
export function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * Who may use the API: the token (scripts send it as a Bearer token), one-time login codes (the link
 * `phyllo serve` prints; each works once and expires) and browser sessions (an id in an HttpOnly
 * cookie, made when a code or the token is exchanged). Sessions live in memory: a restart logs every
 * browser out, never anyone in.
 */
export class Sessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly codeTtl: number;
  private readonly sessionTtl: number;
  private readonly now: () => number;

  constructor(
    private readonly token: string,
    opts: SessionOptions = {},
  ) {
    this.codeTtl = opts.codeTtlMs ?? 10 * 60_000;
    this.sessionTtl = opts.sessionTtlMs ?? 12 * 3600_000;
    this.now = opts.now ?? Date.now;
  }

  /** A new one-time login code. */
  issueCode(): string {
    this.sweep();
    const code = newSecret(24);
    this.codes.set(code, this.now() + this.codeTtl);
    return code;
  }

  isToken(candidate: string): boolean {
    return sameSecret(candidate, this.token);
  }

  /** Whether `secret` is a live one-time code or the token, without using the code up. */
  accepts(secret: string): boolean {
    const expires = this.codes.get(secret);
    return (expires !== undefined && expires > this.now()) || this.isToken(secret);
  }

  /** Exchanges a one-time code (used up here) or the token for a new session id; undefined if neither. */
  login(secret: string): string | undefined {
    this.sweep();
    const ok = this.accepts(secret);
    this.codes.delete(secret);
    if (!ok) return undefined;
    const id = newSecret();
    this.sessions.set(id, this.now() + this.sessionTtl);
    return id;
  }

  /** Whether a session id is one this server made and has not expired. */
  valid(id: string | undefined): boolean {
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  logout(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** The session lifetime in seconds, for the cookie's Max-Age. */
  get sessionSeconds(): number {
    return Math.floor(this.sessionTtl / 1000);
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.codes) if (t <= now) this.codes.delete(k);
    for (const [k, t] of this.sessions) if (t <= now) this.sessions.delete(k);
  }
}
