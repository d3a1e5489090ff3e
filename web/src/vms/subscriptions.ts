// Which running VMs the list subscribes to for stats: those on screen, at most a cap (the server
// allows 64 per client; the list keeps a few for other pages' components).

export const LIST_SUBSCRIPTION_CAP = 56;

/**
 * The subscriptions to open and close so that exactly the first `cap` keys of `wanted` (in screen
 * order) are held, keeping those already held when they are still wanted.
 */
export function subscriptionPlan(
  held: ReadonlySet<string>,
  wanted: readonly string[],
  cap = LIST_SUBSCRIPTION_CAP,
): { open: string[]; close: string[] } {
  const keep = new Set(wanted.slice(0, cap));
  return {
    open: [...keep].filter((k) => !held.has(k)),
    close: [...held].filter((k) => !keep.has(k)),
  };
}
