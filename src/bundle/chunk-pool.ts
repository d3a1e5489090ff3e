/**
 * Read buffers used again once their bytes went where they go. A chunk read into fresh memory costs a
 * page fault per 4 KiB: of a 2 GiB zstd export, 541,000 faults, most of the process's 4.6 s of system
 * time, inside the reads' copy from the page cache (`perf record -e page-faults`). A buffer from here
 * is lent with the chunk it holds; it comes back only when the one consumer that last needs the bytes
 * says so (`consumed(chunk)`: zstd's stdin wrote them to the kernel, a checksum took them). A chunk
 * nobody gives back is never used again, as before: a consumer that keeps chunks, slices them or passes
 * them on to something that does, loses nothing, it only gets no reuse.
 */

/** The chunk (the very object lent) → puts its buffer back. */
const lent = new WeakMap<Uint8Array, () => void>();

/** The one who last needed `chunk`'s bytes is done with them; a chunk not from a pool is left alone. */
export function consumed(chunk: Uint8Array): void {
  const back = lent.get(chunk);
  if (!back) return;
  lent.delete(chunk);
  back();
}

export class ChunkPool {
  private readonly free: Buffer[] = [];

  /** `size`: every buffer's length; at most `keep` free ones are kept. */
  constructor(
    readonly size: number,
    private readonly keep = 8,
  ) {}

  /** A buffer of `size` bytes: one given back, else a new one (its own memory, never Node's shared pool). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /**
   * `chunk` (`buf` or a view of it) handed on: `buf` comes back when `consumed(chunk)` is called. Not
   * lending a buffer taken (a failed read) just drops it.
   */
  lend<T extends Uint8Array>(chunk: T, buf: Buffer): T {
    lent.set(chunk, () => {
      if (this.free.length < this.keep) this.free.push(buf);
    });
    return chunk;
  }

  /** @internal Tests: buffers waiting to be taken. */
  get idle(): number {
    return this.free.length;
  }
}
