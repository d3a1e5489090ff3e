/**
 * The copy worker of file-copy.ts: copies byte ranges from files into one open file with synchronous
 * reads and writes, each chunk through a slot of the shared ring (copy-ring.ts) that the hash worker
 * then hashes, so what is hashed is exactly what was written, in order. It imports only Node's
 * built-ins: it is loaded from its own file (dist/src/bundle/copy-worker.js), also from the CLI's bundle.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CopyReply, CopyRequest } from './file-copy.js';
import { END, HEAD, SLOTS, STOP, TAIL, slot } from './copy-ring.js';

const req = workerData as CopyRequest;
const ring = req.ring;
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const post = (m: CopyReply) => parentPort!.postMessage(m);
const BLOCK = 4096;
const ZERO = Buffer.alloc(BLOCK);

class Short extends Error {}
class Stopped extends Error {}
class ReadFailed extends Error {}

/** Writes `buf` at `at`, leaving out its all-zero 4 KiB blocks (the file is new: they are holes). */
function writeSparse(fd: number, buf: Buffer, at: number): void {
  let run = -1;
  for (let o = 0; o < buf.length; o += BLOCK) {
    const end = Math.min(o + BLOCK, buf.length);
    const zero = buf[o] === 0 && buf.subarray(o, end).equals(ZERO.subarray(0, end - o));
    if (!zero) {
      if (run < 0) run = o;
    } else if (run >= 0) {
      writeAll(fd, buf.subarray(run, o), at + run);
      run = -1;
    }
  }
  // The last run, up to the chunk's end (which need not be a whole block).
  if (run >= 0) writeAll(fd, buf.subarray(run), at + run);
}

function writeAll(fd: number, buf: Buffer, at: number): void {
  for (let w = 0; w < buf.length;) w += writeSync(fd, buf, w, buf.length - w, at + w);
}

const files = new Map<string, number>();
/** Waits for the hasher to free the slot that `head` goes to. */
function freeSlot(head: number): void {
  for (;;) {
    if (Atomics.load(ctl, STOP) !== 0) throw new Stopped();
    const tail = Atomics.load(ctl, TAIL);
    if (head - tail < SLOTS) return;
    Atomics.wait(ctl, TAIL, tail, 50);
  }
}

let finished = false;
try {
  let head = 0;
  let done = 0;
  let told = 0;
  for (const r of req.ranges) {
    let fd = files.get(r.file);
    if (fd === undefined) files.set(r.file, (fd = openSync(r.file, 'r')));
    for (let off = 0; off < r.length;) {
      freeSlot(head);
      const buf = slot(ring, head);
      const want = Math.min(ring.chunk, r.length - off);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, r.offset + off);
      } catch (err) {
        throw Object.assign(new ReadFailed((err as Error).message), {
          file: r.file,
          offset: r.offset + off,
          code: (err as NodeJS.ErrnoException).code,
        });
      }
      if (n === 0) throw Object.assign(new Short(), { file: r.file, offset: r.offset + off });
      const c = n === buf.length ? buf : buf.subarray(0, n);
      if (req.skipZeros) writeSparse(req.out, c, r.to + off);
      else writeAll(req.out, c, r.to + off);
      lengths[head % SLOTS] = n;
      Atomics.store(ctl, HEAD, ++head);
      Atomics.notify(ctl, HEAD);
      off += n;
      done += n;
      if (done - told >= req.progressEvery) {
        told = done;
        post({ kind: 'progress', done });
      }
    }
  }
  finished = true;
  post({ kind: 'done', done });
} catch (err) {
  if (err instanceof Short) {
    const e = err as Short & { file: string; offset: number };
    post({ kind: 'short', file: e.file, offset: e.offset });
  } else if (err instanceof ReadFailed) {
    const e = err as ReadFailed & { file: string; offset: number; code?: string };
    post({ kind: 'read-error', file: e.file, offset: e.offset, message: e.message, code: e.code });
  } else if (err instanceof Stopped) {
    post({ kind: 'stopped' });
  } else {
    const e = err as NodeJS.ErrnoException;
    post({ kind: 'write-error', message: e.message, code: e.code, syscall: e.syscall, errno: e.errno });
  }
} finally {
  Atomics.store(ctl, END, finished ? 1 : 2);
  Atomics.notify(ctl, HEAD);
  for (const fd of files.values()) closeSync(fd);
}
