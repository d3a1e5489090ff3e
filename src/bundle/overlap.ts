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
 * Writes chunks at their positions, one write at a time, with up to `depth` chunks queued behind it,
 * so the caller reads and hashes the next chunks while the last ones are written. One at a time
 * because writes to one file in parallel fight over its inode lock: on these 2-core machines four
 * 4 MiB writes in flight took 2.7 s (4 s of system time) to put 1 GiB into a sparse file, one at a
 * time 0.23 s; that was most of the import's 3.8x cp in bench/bundle.mjs. The caller must not change a chunk after
 * handing it over; `flush` waits for every write and throws the first failure.
 */
export class PositionalWriter {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private failed: unknown;
  private room: (() => void) | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly depth = 4,
  ) {}

  async write(chunk: Buffer, position: number): Promise<void> {
    if (this.failed) throw this.failed;
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failed) await writeAll(this.fh, chunk, position);
      } catch (err) {
        this.failed ??= err;
      } finally {
        this.queued--;
        this.room?.();
      }
    });
    while (this.queued >= this.depth && !this.failed)
      await new Promise<void>((resolve) => (this.room = resolve));
    if (this.failed) throw this.failed;
  }

  async flush(): Promise<void> {
    await this.tail;
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
