/**
 * What an operation changed, to take back when a later step fails: undone in reverse order, best
 * effort. An undo that fails does not stop the others; its failure is returned, so the caller can say
 * what was left behind without hiding the error that made it roll back.
 */
export class UndoList {
  private readonly steps: { what: string; undo: () => Promise<unknown> }[] = [];

  /** Records how to take back `what` (`defined the network "x"`), right after it was done. */
  push(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /**
   * Runs independent steps at once: records the undo of each that succeeded (`record` gives what it
   * did and how to take it back), then throws the first failure once all have settled, so nothing
   * made by a sibling step escapes the undo.
   */
  async all<T>(steps: Promise<T>[], record: (value: T) => [string, () => Promise<unknown>]): Promise<T[]> {
    const settled = await Promise.allSettled(steps);
    for (const r of settled)
      if (r.status === 'fulfilled') {
        const [what, undo] = record(r.value);
        this.push(what, undo);
      }
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  }

  get length(): number {
    return this.steps.length;
  }

  /** Undoes everything, newest first; returns what could not be undone, with libvirt's reason. */
  async run(): Promise<string[]> {
    const failed: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (err) {
        failed.push(`${step.what} (undo failed: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
    return failed;
  }
}
