/**
 * Push-style (de)compression for code that produces bytes as it goes (a tar writer with an async
 * sink): `write(chunk)` resolves once zstd has taken the chunk, so a fast producer waits for zstd and
 * zstd waits for the sink; `end()` resolves when every output chunk has reached the sink and zstd
 * exited cleanly. Any failure (zstd's, the sink's, a cancel) rejects the pending and later calls with
 * the same error, and zstd is gone by then.
 */
import {
  zstdCompress,
  zstdDecompress,
  type ZstdCompressOptions,
  type ZstdDecompressOptions,
} from './zstd-compress.js';

export type ByteSink = (chunk: Buffer) => Promise<void>;

export interface ZstdWriter {
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/** A writer whose bytes are compressed into `sink`. */
export function zstdCompressor(sink: ByteSink, options: ZstdCompressOptions = {}): ZstdWriter {
  return pushThrough((source) => zstdCompress(source, options), sink);
}

/** A writer whose bytes (zstd frames) are decompressed into `sink`. */
export function zstdDecompressor(sink: ByteSink, options: ZstdDecompressOptions = {}): ZstdWriter {
  return pushThrough((source) => zstdDecompress(source, options), sink);
}

/** Runs `transform` over the chunks written, delivering its output to `sink`. */
export function pushThrough(
  transform: (source: AsyncIterable<Uint8Array>) => AsyncIterable<Buffer>,
  sink: ByteSink,
): ZstdWriter {
  const queue: { chunk: Uint8Array; taken: () => void }[] = [];
  let ended = false;
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };

  async function* source(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        next.taken();
        yield next.chunk;
      } else if (ended || finished) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  const done = (async () => {
    try {
      for await (const out of transform(source())) await sink(out);
    } finally {
      finished = true;
      notify();
    }
  })();
  // Each caller sees the failure through write() or end(); this only stops an unobserved rejection.
  done.catch(() => undefined);

  return {
    write(chunk) {
      // A run that ended (well or badly) answers with its own outcome, so a failure is seen again.
      if (finished) return done.then(() => Promise.reject(new Error('write after the output finished')));
      if (ended) return Promise.reject(new Error('write after end'));
      const taken = new Promise<void>((resolve) => queue.push({ chunk, taken: resolve }));
      notify();
      return Promise.race([taken, done.then(() => taken)]);
    },
    end() {
      ended = true;
      notify();
      return done;
    },
  };
}
