/**
 * A bundle's bytes as the tar reader wants them, compressed or not (the first four bytes say), and
 * the compression an export writes.
 */
import { MAX_MANIFEST_BYTES } from './manifest.js';
import { isZstd, zstdCompression, zstdDecompressed } from './zstd.js';
import type { Compression } from './write-bundle.js';

export function bundleCompression(): Compression {
  return zstdCompression();
}

/** The tar stream of a bundle file or stream; `limit` caps what a compressed one may expand to. */
export async function* bundleBytes(
  source: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
  limit: () => number = () => 2 ** 46 + MAX_MANIFEST_BYTES,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  // Four bytes decide: gather them if the first chunk is shorter.
  let head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  while (head.length < 4 && !first.done) {
    first = await it.next();
    if (!first.done) head = Buffer.concat([head, Buffer.from(first.value)]);
  }
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let sentHead = false;
      return {
        next: async () => {
          if (!sentHead) {
            sentHead = true;
            if (head.length) return { done: false, value: head };
          }
          return it.next();
        },
        return: async () => (await it.return?.()) ?? { done: true, value: undefined },
      };
    },
  };
  if (isZstd(head)) yield* zstdDecompressed(rest, limit, signal);
  else for await (const c of rest) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}
