/**
 * The local fast path of a bundle's disk data: byte ranges of files copied into one open file by a
 * worker thread (copy-worker.ts) with synchronous I/O in 128 KiB chunks, each through a slot of a
 * shared ring (copy-ring.ts) whose slots a second worker (hash-worker.ts) hashes in order: SHA-256 of
 * exactly the bytes written, on the other core. The main thread stays free for progress and
 * cancellation. The written data is left to the page cache until the caller's fsync, as cp leaves it
 * until `sync`.
 *
 * Measured on the 2-core build machine, 1 GiB of random data file to file, fsync'ed, taking turns
 * (/tmp bench, node 20): `cp --sparse=always` + sync 0.65–1.09 s; read, hash, write in one thread
 * 1.04–1.06 s; hashing in a second worker over a shared ring of 8 or 16 slots of 128 KiB 0.96–1.31 s;
 * the fs promise API with 1 MiB chunks (what the stream path does) 1.8–2.3 s. Later, whole
 * `phyllo vm import` / `vm export --compress none` processes of 1 GiB, taking turns with the
 * one-thread build: import 1.11–1.15 s against 1.57–1.58, export 1.08–1.49 against 1.10–3.72.
 * An fdatasync every 64 MiB on libuv's pool (periodic-flush.ts), which this copy had until the sixth
 * 2026-12-07 session, made 2 GiB slower: whole `vm import` processes of the bench's 2 GiB bundle,
 * taking turns, 5 rounds, the bundle out of the page cache: 2.53–2.96 s without against 3.59–3.96 s
 * with (cp + sync 2.00–3.71 s); the whole page cache dropped: 2.60–2.99 against 3.40–4.94 (cp
 * 2.16–2.40); `vm export --compress none` 2.74–3.16 against 3.84–5.20; flushing every 256 MiB or
 * 1 GiB was no better (3.41–4.39). At 1 GiB it made no difference either way.
 */
import { Worker } from 'node:worker_threads';
import { COPY_CHUNK } from './chunk-size.js';
import { HEAD, STOP, TAIL, makeRing, type Ring } from './copy-ring.js';
import type { HashReply } from './hash-worker.js';

/** `length` bytes of `file` from `offset`, written at `to` in the output. */
export interface CopyRange {
  file: string;
  offset: number;
  length: number;
  to: number;
}

/** @internal What the copy worker is given. */
export interface CopyRequest {
  out: number;
  ranges: CopyRange[];
  skipZeros: boolean;
  progressEvery: number;
  ring: Ring;
}

/** @internal What the copy worker says. */
export type CopyReply =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; done: number }
  | { kind: 'short'; file: string; offset: number }
  | { kind: 'read-error'; file: string; offset: number; message: string; code?: string }
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
  /** @internal Tests: the read size. */
  chunk?: number;
  /** @internal Tests: a hash worker that misbehaves. */
  hashWorker?: URL;
}

/**
 * Copies the ranges in order and resolves with the SHA-256 (hex) of `prefix` and the ranges' bytes.
 * A cancel (the signal) or a failure rejects only once the worker stopped writing.
 */
export function copyRanges(o: CopyOptions): Promise<string> {
  o.signal?.throwIfAborted();
  const ring = makeRing(o.chunk ?? COPY_CHUNK);
  const req: CopyRequest = {
    out: o.out,
    ranges: o.ranges,
    skipZeros: o.skipZeros ?? false,
    progressEvery: 8 * 2 ** 20,
    ring,
  };
  const ctl = new Int32Array(ring.control);
  const hasher = new Worker(o.hashWorker ?? new URL('../bundle/hash-worker.js', import.meta.url), {
    workerData: { ring, prefix: o.prefix ?? new Uint8Array(0) },
  });
  const worker = new Worker(new URL('../bundle/copy-worker.js', import.meta.url), { workerData: req });
  const stopBoth = () => {
    Atomics.store(ctl, STOP, 1);
    Atomics.notify(ctl, HEAD);
    Atomics.notify(ctl, TAIL);
  };
  // Set when the hasher failed on its own (not stopped by us): the cause of whatever follows.
  let hashFailure: unknown;
  const hashed = new Promise<string>((resolve, reject) => {
    let sha: string | undefined;
    let stopped = false;
    hasher.on('message', (m: HashReply) => {
      if (m.kind === 'hashed') sha = m.sha256;
      else stopped = true;
    });
    // A hasher that is gone frees no more slots: the copier must not wait for it.
    hasher.once('error', (err) => {
      hashFailure ??= err;
      stopBoth();
      reject(err);
    });
    hasher.once('exit', () => {
      if (sha) return resolve(sha);
      const err = new Error('the hash worker stopped without a word');
      if (!stopped) hashFailure ??= err;
      stopBoth();
      reject(err);
    });
  });
  hashed.catch(() => undefined);
  const copied = new Promise<void>((resolve, reject) => {
    let settled: { ok: true } | { ok: false; err: unknown } | undefined;
    o.signal?.addEventListener('abort', stopBoth, { once: true });
    // A copier that fails marks the ring's end itself (copy-worker.ts): the hasher stops there.
    const finish = (r: NonNullable<typeof settled>) => (settled ??= r);
    worker.on('message', (m: CopyReply) => {
      switch (m.kind) {
        case 'progress':
          o.onData?.(m.done);
          return;
        case 'done':
          o.onData?.(m.done);
          finish({ ok: true });
          return;
        case 'short':
          finish({ ok: false, err: o.readError(m.file, m.offset, `it ends before offset ${m.offset}`) });
          return;
        case 'read-error': {
          const cause = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
          finish({ ok: false, err: o.readError(m.file, m.offset, m.message, cause) });
          return;
        }
        case 'write-error':
          finish({
            ok: false,
            err: Object.assign(new Error(m.message), { code: m.code, syscall: m.syscall, errno: m.errno }),
          });
          return;
        case 'stopped':
          finish({ ok: false, err: o.signal?.reason ?? new Error('aborted') });
      }
    });
    worker.once('error', (err) => finish({ ok: false, err }));
    worker.once('exit', () => {
      o.signal?.removeEventListener('abort', stopBoth);
      // The worker wrote its last byte.
      const r = settled ?? { ok: false as const, err: new Error('the copy worker stopped without a word') };
      if (r.ok) return resolve();
      stopBoth();
      reject(r.err);
    });
  });
  // Both workers are gone before this settles: nothing writes or reads the ring after.
  return Promise.allSettled([copied, hashed]).then(([c, h]) => {
    // A copier stopped because the hasher died reports the hasher's failure, not a cancel.
    if (hashFailure !== undefined && !o.signal?.aborted) throw hashFailure;
    if (c.status === 'rejected') throw c.reason;
    if (h.status === 'rejected') throw h.reason;
    return h.value;
  });
}
