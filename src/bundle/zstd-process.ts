/**
 * One run of the `zstd` program as a transform of byte chunks: the source is fed to its stdin (with
 * backpressure), its stdout is yielded. Node 20 has no zstd in node:zlib, so the system's binary does
 * the work (docs/dependencies.md says why).
 *
 * Whatever way the run ends (done, zstd's error, the output limit, the source's error, a cancel, the
 * consumer stopping early), zstd is killed if still running and reaped before the generator settles:
 * no process is left behind. With `output`, zstd writes to that descriptor directly: one copy of the
 * compressed bytes less, and this process's core free for the reads and the checksums.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { consumed } from './chunk-pool.js';
import {
  CompressedDataError,
  BundleTooLargeError,
  ZstdCancelledError,
  ZstdFailedError,
  ZstdMissingError,
} from './zstd-errors.js';

export interface ZstdRunOptions {
  /** The program; default `zstd`, looked up on PATH. */
  binary?: string;
  /** Aborting kills zstd; the generator then throws a `ZstdCancelledError`. */
  signal?: AbortSignal;
  /** More output than this kills zstd at once and throws a `BundleTooLargeError`. */
  /** A number, or a function asked again for each chunk (a limit that grows once a manifest is read). */
  maxOutputBytes?: number | (() => number);
  /**
   * zstd writes its output to this file descriptor itself (a bundle file opened for appending), not
   * through a pipe into this process: the generator then yields nothing.
   */
  output?: number;
}

/** Which error a failed exit means: damaged data when decompressing, zstd's own failure otherwise. */
export type ZstdMode = 'compress' | 'decompress';

/** zstd's messages are a line or two; more is noise (and memory). */
const STDERR_KEEP = 1000;

export async function* runZstd(
  mode: ZstdMode,
  args: string[],
  source: AsyncIterable<Uint8Array>,
  options: ZstdRunOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const binary = options.binary ?? 'zstd';
  const { signal, maxOutputBytes } = options;
  if (signal?.aborted) throw new ZstdCancelledError(signal.reason);

  // stdin and stderr are always pipes; stdout is one unless zstd writes to `output`.
  const child = spawn(binary, args, {
    stdio: ['pipe', options.output ?? 'pipe', 'pipe'],
  }) as ChildProcessByStdio<Writable, Readable | null, Readable>;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, sig) => resolve({ code, signal: sig })),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') throw new ZstdMissingError(binary, err);
    throw new ZstdFailedError(`could not start ${binary}`, err);
  }

  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < STDERR_KEEP) stderr += s;
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = (): void => kill();
  signal?.addEventListener('abort', onAbort, { once: true });

  // zstd closes its stdin when it stops early (bad data, killed): the exit status says why, so a
  // broken pipe here is not the error to report.
  child.stdin.on('error', () => undefined);
  let sourceFailed = false;
  let sourceError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!canWrite(child.stdin)) break;
        // Once written to the pipe, a pooled chunk's buffer can be read into again (chunk-pool.ts).
        if (!child.stdin.write(chunk, () => consumed(chunk))) await drained(child.stdin);
      }
      if (canWrite(child.stdin)) child.stdin.end();
    } catch (err) {
      sourceFailed = true;
      sourceError = err;
      kill();
    }
  })();

  let produced = 0;
  let readError: unknown;
  try {
    try {
      // With `output` there is no pipe to read: zstd's exit says how the run went.
      const out: AsyncIterable<Buffer> | Iterable<Buffer> = child.stdout ?? [];
      for await (const chunk of out) {
        produced += chunk.length;
        const limit = typeof maxOutputBytes === 'function' ? maxOutputBytes() : maxOutputBytes;
        if (limit !== undefined && produced > limit) {
          kill();
          throw new BundleTooLargeError(limit);
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof BundleTooLargeError) throw err;
      readError = err;
    }
    const exit = await closed;
    if (signal?.aborted) throw new ZstdCancelledError(signal.reason);
    if (sourceFailed) throw sourceError;
    if (exit.code === 0 && readError === undefined) {
      await feeding;
      return;
    }
    const reason =
      trimmed(stderr) ||
      (exit.signal
        ? `stopped by ${exit.signal}`
        : exit.code !== 0
          ? `exit status ${exit.code}`
          : String(readError));
    if (mode === 'decompress' && !exit.signal) throw new CompressedDataError(reason, readError);
    throw new ZstdFailedError(reason, readError);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    kill();
    child.stdin.destroy();
    child.stdout?.destroy();
    await closed;
  }
}

function canWrite(stream: Writable): boolean {
  return !stream.destroyed && !stream.writableEnded;
}

/** Resolves when the pipe takes more, or when it is gone (the exit status then tells why). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * zstd's message on one line, without the names it puts first (`/*stdin*\ : Decoding error (36) :
 * Restored data doesn't match checksum` becomes `Decoding error (36) : Restored data …`).
 */
function trimmed(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) =>
      line
        .replace(/^zstd:\s*/, '')
        .replace(/^\/\*stdin\*\\\s*:\s*/, '')
        .trim(),
    )
    .filter(Boolean)
    .join('; ')
    .slice(0, 300);
}
