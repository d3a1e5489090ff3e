/**
 * A fact about the host is either known, with its value, or unknown with the reason it could not be
 * established (a missing or garbled file, a probe that was not run). Probes never throw: they return this.
 */
export type Fact<T> = { known: true; value: T } | { known: false; reason: string };

export function known<T>(value: T): Fact<T> {
  return { known: true, value };
}

export function unknown<T = never>(reason: string): Fact<T> {
  return { known: false, reason };
}

/** The value of a known fact, or `fallback` when it is unknown. */
export function valueOr<T, F>(fact: Fact<T>, fallback: F): T | F {
  return fact.known ? fact.value : fallback;
}

/** Applies `fn` to a known value; an unknown fact passes through with its reason. */
export function mapFact<T, U>(fact: Fact<T>, fn: (value: T) => Fact<U>): Fact<U> {
  return fact.known ? fn(fact.value) : fact;
}

/** A short description of why something could not be read, from a Node error. */
export function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EISDIR') return 'is a directory';
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}
