/**
 * Waits until `check` returns a value other than undefined, polling every `everyMs`.
 * The limit is a hang guard that turns "never happened" into a failure with a clear message;
 * it is never a speed assertion.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  opts: { limitMs?: number; everyMs?: number; context?: () => string } = {},
): Promise<T> {
  const limit = Date.now() + (opts.limitMs ?? 180_000);
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > limit)
      throw new Error(`never saw ${what}${opts.context ? `; last seen: ${opts.context()}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
