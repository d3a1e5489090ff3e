/**
 * The local fast path of a bundle's disk data: byte ranges of files copied into one open file by
 * three worker threads over a shared ring of 1 MiB slots (copy-ring.ts): a reader (read-worker.ts)
 * and a writer (write-worker.ts), both with direct I/O where the files allow it (direct-io.ts), and
 * a hasher (hash-worker.ts) computing SHA-256 of exactly the bytes written, in order, on the other
 * core. The main thread stays free for progress and cancellation. What is written directly is on the
 * device when the writer is done; the caller's fsync still flushes the device's cache and the
 * file's metadata.
 *
 * Why three threads: with one thread reading and writing, a direct read waits for the device and then
 * a direct write does, one after the other (measured in the eighth 2026-12-07 session: 2.5–2.6 s for
 * 2 GiB against 1.33–1.69 s buffered); a reader and a writer of their own keep both busy at once.
 * Buffered, the copy pays for fresh page cache pages on the machines Phyllome is built on, and the
 * written data waits for the final fsync: a prototype of this copy took 5.36–6.23 s for 2 GiB (the
 * whole cache dropped first) through the page cache, against 2.45–3.40 s direct, with
 * `cp --sparse=always` + `sync` at 4.68–5.88 s in the same rounds (whole imports and exports: README).
 *
 * Before (until the ninth 2026-12-07 session) one copy worker read and wrote buffered, 128 KiB at a
 * time. An fdatasync every 64 MiB on libuv's pool (periodic-flush.ts), which this copy had until the
 * sixth 2026-12-07 session, made 2 GiB slower: whole `vm import` processes of the bench's 2 GiB bundle,
 * taking turns, 5 rounds, the bundle out of the page cache: 2.53–2.96 s without against 3.59–3.96 s
 * with (cp + sync 2.00–3.71 s).
 */
import { Worker } from 'node:worker_threads';
import { BUNDLE_CHUNK } from './chunk-size.js';
import { HASHED, READ, STOP, WRITTEN, makeRing, type Ring } from './copy-ring.js';
import type { HashReply } from './hash-worker.js';

/** `length` bytes of `file` from `offset`, written at `to` in the output. */
export interface CopyRange {
  file: string;
  offset: number;
  length: number;
  to: number;
}

/** @internal What the reader and the writer are given. */
export interface CopyRequest {
  out: number;
  ranges: CopyRange[];
  skipZeros: boolean;
  progressEvery: number;
  ring: Ring;
}

/** @internal What the reader says. */
export type ReadReply =
  | { kind: 'read' }
  | { kind: 'short'; file: string; offset: number }
  | { kind: 'read-error'; file: string; offset: number; message: string; code?: string }
  | { kind: 'stopped' };

/** @internal What the writer says. */
export type WriteReply =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; done: number }
  | { kind: 'write-error'; message: string; code?: string; syscall?: string; errno?: number }
  | { kind: 'stopped' };

export interface CopyOptions {
  /** The output's file descriptor (left open). */
  out: number;
  ranges: CopyRange[];
  /** Bytes hashed before the ranges' (a sparse entry's map, written by the caller). */
  prefix?: Uint8Array;
  /** Leave out all-zero 4 KiB blocks: the output is a new sparse file, where they read as zeros. */
  skipZeros?: boolean;
  signal?: AbortSignal;
  /** Bytes copied so far. */
  onData?: (bytes: number) => void;
  /** The caller's typed error for a source that ends before a range does, or cannot be read. */
  readError(file: string, offset: number, why: string, cause?: Error): Error;
  /** @internal Tests: the slot size (a multiple of 512 bytes). */
  chunk?: number;
  /** @internal Tests: a hash worker that misbehaves. */
  hashWorker?: URL;
  /** @internal Tests: false puts the ring in memory that direct I/O refuses (copy-ring.ts). */
  pageAligned?: boolean;
}

const worker = (name: string) => new URL(`../bundle/${name}.js`, import.meta.url);

/**
 * Settles once `w` exited, with its last word. One that fails or exits without a last word calls
 * `fail` at once (the others stop: nothing frees their slots any more).
 */
function lastWord<T extends { kind: string }>(
  w: Worker,
  name: string,
  fail: (err: unknown) => void,
  onMessage: (m: T) => void,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    let last: T | undefined;
    let failed = false;
    w.on('message', (m: T) => {
      last = m;
      onMessage(m);
    });
    w.once('error', (err) => {
      failed = true;
      fail(err);
    });
    w.once('exit', () => {
      if (!last && !failed) fail(new Error(`the ${name} stopped without a word`));
      resolve(failed ? undefined : last);
    });
  });
}

/**
 * Copies the ranges in order and resolves with the SHA-256 (hex) of `prefix` and the ranges' bytes.
 * A cancel (the signal) or a failure rejects only once every worker stopped: nothing writes after.
 */
export async function copyRanges(o: CopyOptions): Promise<string> {
  o.signal?.throwIfAborted();
  const ring = makeRing(o.chunk ?? BUNDLE_CHUNK, o.pageAligned ?? true);
  const req: CopyRequest = {
    out: o.out,
    ranges: o.ranges,
    skipZeros: o.skipZeros ?? false,
    progressEvery: 8 * 2 ** 20,
    ring,
  };
  const ctl = new Int32Array(ring.control);
  const stopAll = () => {
    Atomics.store(ctl, STOP, 1);
    for (const at of [READ, WRITTEN, HASHED]) Atomics.notify(ctl, at);
  };
  // The first failure is the copy's: a worker that fails or dies stops the others.
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    stopAll();
  };
  o.signal?.addEventListener('abort', stopAll, { once: true });
  const hasher = new Worker(o.hashWorker ?? worker('hash-worker'), {
    workerData: { ring, prefix: o.prefix ?? new Uint8Array(0) },
  });
  const reader = new Worker(worker('read-worker'), { workerData: req });
  const writer = new Worker(worker('write-worker'), { workerData: req });
  const [hashed, read, written] = await Promise.all([
    lastWord<HashReply>(hasher, 'hash worker', fail, () => undefined),
    lastWord<ReadReply>(reader, 'read worker', fail, (m) => {
      if (m.kind === 'short') fail(o.readError(m.file, m.offset, `it ends before offset ${m.offset}`));
      if (m.kind === 'read-error') {
        const cause = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
        fail(o.readError(m.file, m.offset, m.message, cause));
      }
    }),
    lastWord<WriteReply>(writer, 'write worker', fail, (m) => {
      if (m.kind === 'progress' || m.kind === 'done') o.onData?.(m.done);
      if (m.kind === 'write-error')
        fail(Object.assign(new Error(m.message), { code: m.code, syscall: m.syscall, errno: m.errno }));
    }),
  ]);
  o.signal?.removeEventListener('abort', stopAll);
  if (failure !== undefined) throw failure;
  if (hashed?.kind === 'hashed' && read?.kind === 'read' && written?.kind === 'done') return hashed.sha256;
  // Stopped by the signal (nothing failed).
  throw o.signal?.reason ?? new Error('the copy stopped');
}
