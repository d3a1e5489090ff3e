/**
 * A bundle's bytes as the tar reader wants them, compressed or not (the first four bytes say), and
 * the compression an export writes: the zstd layer (zstd-frame.ts, zstd-push.ts, zstd-compress.ts).
 */
import { open } from 'node:fs/promises';
import type { Compression } from './write-bundle.js';
import { zstdDecompress } from './zstd-compress.js';
import { isZstd, storedFrame } from './zstd-frame.js';
import { zstdCompressor } from './zstd-push.js';
import { isSkipping, type SkippingSource } from './byte-source.js';
import { periodicFlush } from './periodic-flush.js';

/** zstd at level 1 on one core (docs/dependencies.md), its manifest region in a frame of stored blocks. */
export function bundleCompression(): Compression {
  return {
    storedFrame,
    compressor(out) {
      const stop = new AbortController();
      const writer = zstdCompressor(out, { signal: stop.signal });
      return {
        write: (chunk) => writer.write(chunk),
        end: () => writer.end(),
        destroy: () => stop.abort(),
      };
    },
    async appendTo(path) {
      // Appending: zstd's writes land after what the file holds (the manifest's region), whatever
      // the other descriptor's positional writes did.
      const fh = await open(path, 'a');
      const start = (await fh.stat()).size;
      const stop = new AbortController();
      const unused = () => Promise.reject(new Error('zstd was to write to the file, not to this process'));
      const writer = zstdCompressor(unused, { signal: stop.signal, output: fh.fd });
      // What zstd wrote goes to the disk as it goes (periodic-flush.ts), counted by what it was fed.
      const flush = periodicFlush(fh);
      // zstd has its own copy of the descriptor: ours closes once the run settled, however it did (and
      // no flush is still running on it).
      let closing: Promise<void> | undefined;
      const close = () =>
        (closing ??= flush
          .settle()
          .catch(() => undefined)
          .then(() => fh.close())
          .catch(() => undefined));
      return {
        write: (chunk) => {
          flush.wrote(chunk.length);
          return writer.write(chunk);
        },
        end: async () => {
          try {
            await writer.end();
            await flush.settle();
            return (await fh.stat()).size - start;
          } finally {
            await close();
          }
        },
        destroy: () => {
          stop.abort();
          void writer
            .end()
            .catch(() => undefined)
            .finally(close);
        },
      };
    },
  };
}

/**
 * The tar stream of a bundle file or stream. A compressed one may expand to `limit()` bytes at most
 * (asked again as it goes: it grows once the manifest is known). An uncompressed one from a source
 * that can skip (a file, file-chunks.ts) can skip too, and names that file while it does: its tar
 * offsets are the file's.
 */
export function bundleBytes(
  source: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
  limit: () => number,
): AsyncIterable<Buffer> & Partial<SkippingSource> {
  let plain = false;
  const skipper = isSkipping(source) ? source : undefined;
  const bytes = (async function* () {
    const it = source[Symbol.asyncIterator]();
    // Four bytes decide: gather them if the first chunks are shorter.
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < 4 && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else head = Buffer.concat([head, Buffer.from(r.value)]);
    }
    const rest: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        let sentHead = head.length === 0;
        return {
          next: async () => {
            if (!sentHead) {
              sentHead = true;
              return { done: false, value: head };
            }
            return ended ? { done: true, value: undefined } : it.next();
          },
          return: async () => (await it.return?.()) ?? { done: true, value: undefined },
        };
      },
    };
    if (isZstd(head)) {
      yield* zstdDecompress(rest, { maxOutputBytes: limit, ...(signal ? { signal } : {}) });
      return;
    }
    plain = true;
    for await (const c of rest)
      yield Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  })();
  if (!skipper) return bytes;
  return {
    [Symbol.asyncIterator]: () => bytes,
    get file() {
      return plain ? skipper.file : undefined;
    },
    // Only once the head was handed on (a skip comes after the reader took bytes): no bytes are held here.
    skip: (n: number) => (plain ? skipper.skip(n) : 0),
  };
}
