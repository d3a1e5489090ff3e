/**
 * The worker thread of file-copy.ts: copies byte ranges from files into one open file with
 * synchronous reads and writes through one reused buffer of COPY_CHUNK bytes, hashing (SHA-256) what
 * it writes, exactly, in the order given. It imports only Node's built-ins: it is loaded from its own
 * file (dist/src/bundle/copy-worker.js), also from the CLI's bundle.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CopyReply, CopyRequest } from './file-copy.js';

const req = workerData as CopyRequest;
const stop = new Int32Array(req.control);
const post = (m: CopyReply) => parentPort!.postMessage(m);
const BLOCK = 4096;
const ZERO = Buffer.alloc(BLOCK);

class Short extends Error {}
class Stopped extends Error {}
class ReadFailed extends Error {}

/** Writes `buf` at `at`, leaving out its all-zero 4 KiB blocks (the file is new: they are holes). */
function writeSparse(fd: number, buf: Buffer, at: number): void {
  let run = -1;
  for (let o = 0; o <= buf.length; o += BLOCK) {
    const end = Math.min(o + BLOCK, buf.length);
    const zero = o < buf.length && buf[o] === 0 && buf.subarray(o, end).equals(ZERO.subarray(0, end - o));
    if (o < buf.length && !zero) {
      if (run < 0) run = o;
      continue;
    }
    if (run >= 0) writeAll(fd, buf.subarray(run, o), at + run);
    run = -1;
  }
}

function writeAll(fd: number, buf: Buffer, at: number): void {
  for (let w = 0; w < buf.length;) w += writeSync(fd, buf, w, buf.length - w, at + w);
}

const files = new Map<string, number>();
try {
  const hash = createHash('sha256');
  hash.update(Buffer.from(req.prefix));
  const buf = Buffer.allocUnsafe(req.chunk);
  let done = 0;
  let told = 0;
  for (const r of req.ranges) {
    let fd = files.get(r.file);
    if (fd === undefined) files.set(r.file, (fd = openSync(r.file, 'r')));
    for (let off = 0; off < r.length;) {
      if (Atomics.load(stop, 0) !== 0) throw new Stopped();
      const want = Math.min(req.chunk, r.length - off);
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
      hash.update(c);
      if (req.skipZeros) writeSparse(req.out, c, r.to + off);
      else writeAll(req.out, c, r.to + off);
      off += n;
      done += n;
      if (done - told >= req.progressEvery) {
        told = done;
        post({ kind: 'progress', done });
      }
    }
  }
  post({ kind: 'done', done, sha256: hash.digest('hex') });
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
  for (const fd of files.values()) closeSync(fd);
}
