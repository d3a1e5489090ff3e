/**
 * Overlapping the I/O of a bundle with its hashing: a bundle's data is read, hashed (on the main
 * thread, ~1.9 GiB/s) and written; one after the other, each waits for the others. These let the next
 * chunk be read and the last ones be written while a chunk is hashed.
 */
import type { FileHandle } from 'node:fs/promises';

async function writeAll(fh: FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let off = 0; off < chunk.length;)
    off += (await fh.write(chunk, off, chunk.length - off, position + off)).bytesWritten;
}

/**
 * Writes chunks at their positions with up to `depth` writes in flight. The caller must not change a
 * chunk after handing it over; `flush` waits for every write and throws the first failure.
 */
export class PositionalWriter {
  private readonly pending = new Set<Promise<void>>();
  private failed: unknown;

  constructor(
    private readonly fh: FileHandle,
    private readonly depth = 4,
  ) {}

  async write(chunk: Buffer, position: number): Promise<void> {
    if (this.failed) throw this.failed;
    const p = writeAll(this.fh, chunk, position).catch((err: unknown) => {
      this.failed ??= err;
    });
    this.pending.add(p);
    void p.then(() => this.pending.delete(p));
    while (this.pending.size >= this.depth) await Promise.race(this.pending);
    if (this.failed) throw this.failed;
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failed) throw this.failed;
  }
}

/** `source`'s items, with up to `depth` of them asked for ahead of the one being used. */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  try {
    for (;;) {
      while (queue.length <= depth) queue.push(it.next());
      const r = await queue.shift()!;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Asked-for items still coming are let go; the source is told to stop.
    await Promise.allSettled(queue);
    await it.return?.();
  }
}
