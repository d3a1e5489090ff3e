/**
 * The reader of file-copy.ts: reads the ranges in order into the ring's free slots (copy-ring.ts),
 * directly from the device where it can (direct-io.ts), and publishes each slot with the offset it
 * goes to in the output. Only Node's built-ins: it is loaded from its own file
 * (dist/src/bundle/read-worker.js), also from the CLI's bundle.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CopyRequest, ReadReply } from './file-copy.js';
import { END, HASHED, READ, SLOTS, STOP, WRITTEN, slot, waitFor } from './copy-ring.js';
import { ALIGN, aligned, openDirect, refused } from './direct-io.js';

const req = workerData as CopyRequest;
const ring = req.ring;
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const positions = new Float64Array(ring.positions);
const post = (m: ReadReply) => parentPort!.postMessage(m);

class Stopped extends Error {}
class ReadFailed extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly why: NodeJS.ErrnoException | undefined,
  ) {
    super(why?.message ?? `it ends before offset ${offset}`);
  }
}

/** A source file's descriptors: a direct one while it works, a buffered one once needed. */
interface Source {
  path: string;
  direct: number | undefined;
  buffered: number | undefined;
}
const sources = new Map<string, Source>();
function source(path: string): Source {
  let s = sources.get(path);
  if (!s) {
    s = { path, direct: openDirect(path, constants.O_RDONLY), buffered: undefined };
    // A source with no direct descriptor is opened buffered now, so that opening it fails here.
    if (s.direct === undefined) s.buffered = openSync(path, 'r');
    sources.set(path, s);
  }
  return s;
}

/** Reads up to `want` bytes at `at` into `buf`; 0 at the file's end. */
function readAt(s: Source, buf: Buffer, want: number, at: number): number {
  if (s.direct !== undefined && aligned(at)) {
    try {
      // Whole blocks: the slot has room for the last one (its size is a multiple of them).
      const got = readSync(s.direct, buf, 0, Math.ceil(want / ALIGN) * ALIGN, at);
      return Math.min(got, want);
    } catch (err) {
      if (!refused(err)) throw err;
      closeSync(s.direct);
      s.direct = undefined;
    }
  }
  s.buffered ??= openSync(s.path, 'r');
  return readSync(s.buffered, buf, 0, want, at);
}

/** Waits for the writer and the hasher to be done with the slot that `next` goes to. */
function freeSlot(next: number): void {
  for (;;) {
    if (Atomics.load(ctl, STOP) !== 0) throw new Stopped();
    const written = Atomics.load(ctl, WRITTEN);
    const hashed = Atomics.load(ctl, HASHED);
    if (next - Math.min(written, hashed) < SLOTS) return;
    if (written <= hashed) waitFor(ctl, WRITTEN, written);
    else waitFor(ctl, HASHED, hashed);
  }
}

let finished = false;
try {
  let next = 0;
  for (const r of req.ranges) {
    let s: Source;
    try {
      s = source(r.file);
    } catch (err) {
      throw new ReadFailed(r.file, r.offset, err as NodeJS.ErrnoException);
    }
    for (let off = 0; off < r.length;) {
      freeSlot(next);
      const at = r.offset + off;
      let n: number;
      try {
        n = readAt(s, slot(ring, next), Math.min(ring.chunk, r.length - off), at);
      } catch (err) {
        throw new ReadFailed(r.file, at, err as NodeJS.ErrnoException);
      }
      if (n === 0) throw new ReadFailed(r.file, at, undefined);
      lengths[next % SLOTS] = n;
      positions[next % SLOTS] = r.to + off;
      Atomics.store(ctl, READ, ++next);
      Atomics.notify(ctl, READ);
      off += n;
    }
  }
  finished = true;
  post({ kind: 'read' });
} catch (err) {
  if (err instanceof ReadFailed) {
    if (err.why)
      post({
        kind: 'read-error',
        file: err.file,
        offset: err.offset,
        message: err.message,
        code: err.why.code,
      });
    else post({ kind: 'short', file: err.file, offset: err.offset });
  } else if (err instanceof Stopped) {
    post({ kind: 'stopped' });
  } else {
    // Not a read's failure: the worker's error, after the ring's end is marked below.
    throw err;
  }
} finally {
  Atomics.store(ctl, END, finished ? 1 : 2);
  Atomics.notify(ctl, READ);
  for (const s of sources.values()) {
    if (s.direct !== undefined) closeSync(s.direct);
    if (s.buffered !== undefined) closeSync(s.buffered);
  }
}
