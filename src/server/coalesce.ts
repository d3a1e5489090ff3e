/**
 * Shares one call among the requests that want the same answer at once, without ever answering a
 * request with data gathered before it arrived: a request that comes while a call runs waits for the
 * next one, which starts when the running call ends and serves everyone who came meanwhile. At most
 * one call runs and one waits per key, whatever the number of clients.
 */
export class Coalescer<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly waiting = new Map<string, Promise<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.running.has(key)) return this.start(key, fn);
    let next = this.waiting.get(key);
    if (!next) {
      const settled = this.running.get(key)!.then(
        () => undefined,
        () => undefined,
      );
      next = settled.then(() => {
        this.waiting.delete(key);
        return this.start(key, fn);
      });
      this.waiting.set(key, next);
    }
    return next;
  }

  private start(key: string, fn: () => Promise<T>): Promise<T> {
    const p = Promise.resolve().then(fn);
    this.running.set(key, p);
    const clear = () => {
      if (this.running.get(key) === p) this.running.delete(key);
    };
    p.then(clear, clear);
    return p;
  }
}
