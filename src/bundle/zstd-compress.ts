/**
 * Compressing and decompressing byte streams with the system's `zstd` (see zstd-process.ts). Both are
 * transforms of async iterables, so they sit between a file stream and a tar reader or writer, in a
 * `for await`, or in `stream.pipeline`; zstd-push.ts turns them into push-style writers.
 */
import { InvalidInputError } from '../errors.js';
import { runZstd, type ZstdRunOptions } from './zstd-process.js';

export interface ZstdCompressOptions {
  /** 1 (fastest, the default) to 19. */
  level?: number;
  /** zstd's worker threads (`-T`); 0 means one per core. Default 1: see docs/dependencies.md. */
  threads?: number;
  binary?: string;
  signal?: AbortSignal;
  /** zstd writes the compressed stream to this descriptor itself; the generator yields nothing. */
  output?: number;
}

export interface ZstdDecompressOptions {
  binary?: string;
  signal?: AbortSignal;
  /** Stop (and fail with `bundle-too-large`) once the output passes this: the guard against a bomb. */
  /** A number, or a function asked again for each chunk (a limit that grows once a manifest is read). */
  maxOutputBytes?: number | (() => number);
}

export const DEFAULT_LEVEL = 1;
export const DEFAULT_THREADS = 1;

/** The arguments of a compression: quiet, to stdout, the level and threads asked. */
export function compressArgs(level = DEFAULT_LEVEL, threads = DEFAULT_THREADS): string[] {
  if (!Number.isInteger(level) || level < 1 || level > 19)
    throw new InvalidInputError(`The zstd level must be a whole number from 1 to 19, not ${level}`);
  if (!Number.isInteger(threads) || threads < 0 || threads > 256)
    throw new InvalidInputError(`The zstd thread count must be a whole number from 0 to 256, not ${threads}`);
  return ['-q', '-c', `-${level}`, `-T${threads}`];
}

/** `source` compressed as one zstd stream (with zstd's content checksum). */
export function zstdCompress(
  source: AsyncIterable<Uint8Array>,
  options: ZstdCompressOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const args = compressArgs(options.level, options.threads);
  return runZstd('compress', args, source, {
    ...runOptions(options),
    ...(options.output === undefined ? {} : { output: options.output }),
  });
}

/**
 * `source` (one or more concatenated zstd frames) decompressed. Damaged or cut-short data fails with
 * `bundle-invalid`, output past `maxOutputBytes` with `bundle-too-large`.
 */
export function zstdDecompress(
  source: AsyncIterable<Uint8Array>,
  options: ZstdDecompressOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  return runZstd('decompress', ['-d', '-q', '-c'], source, {
    ...runOptions(options),
    ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
  });
}

function runOptions(options: { binary?: string; signal?: AbortSignal }): ZstdRunOptions {
  return {
    ...(options.binary === undefined ? {} : { binary: options.binary }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}
