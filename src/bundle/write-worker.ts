/**
 * The writer of file-copy.ts: writes the ring's published slots (copy-ring.ts) in order, each at the
 * offset the reader gave it, directly to the device where it can (direct-io.ts), leaving out all-zero
 * 4 KiB blocks when asked (the output is a new sparse file: they are holes; `forEachZeroRun` finds them,
 * as it does for a sparse upload). Only Node's built-ins and small modules without imports of their own:
 * it is loaded from its own file (dist/src/bundle/write-worker.js), also from the CLI's bundle.
 */
import { closeSync, constants, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CopyRequest, WriteReply } from './file-copy.js';
import { SLOTS, STOP, WRITTEN, nextPublished, slot } from './copy-ring.js';
import { ALIGN, aligned, openDirect, refused } from './direct-io.js';
import { forEachZeroRun } from '../libvirt/zero-runs.js';

const req = workerData as CopyRequest;
const ring = req.ring;
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const positions = new Float64Array(ring.positions);
const post = (m: WriteReply) => parentPort!.postMessage(m);
const NOTHING = Buffer.alloc(0);

class Stopped extends Error {}

/** The output opened again with O_DIRECT (through /proc: the caller gave a descriptor, not a path). */
let direct: number | undefined;

/** Writes `buf` at `at`: its whole blocks directly where it can, the rest buffered. */
function writeOut(buf: Buffer, at: number): void {
  if (direct !== undefined && aligned(at)) {
    const whole = buf.length - (buf.length % ALIGN);
    try {
      writeAll(direct, buf.subarray(0, whole), at);
      buf = buf.subarray(whole);
      at += whole;
    } catch (err) {
      if (!refused(err)) throw err;
      closeSync(direct);
      direct = undefined;
    }
  }
  writeAll(req.out, buf, at);
}

function writeAll(fd: number, buf: Buffer, at: number): void {
  for (let w = 0; w < buf.length;) w += writeSync(fd, buf, w, buf.length - w, at + w);
}

/** Writes `buf` at `at`, leaving out its all-zero 4 KiB blocks. */
function writeSparse(buf: Buffer, at: number): void {
  forEachZeroRun(buf, (start, end, zero) => {
    if (!zero) writeOut(buf.subarray(start, end), at + start);
  });
}

try {
  // A descriptor that cannot write fails here, before a second one (which could) is opened.
  writeSync(req.out, NOTHING, 0, 0, 0);
  direct = openDirect(`/proc/self/fd/${req.out}`, constants.O_WRONLY);
  let next = 0;
  let done = 0;
  let told = 0;
  let at: ReturnType<typeof nextPublished>;
  while ((at = nextPublished(ctl, next)) === 'slot') {
    const i = next % SLOTS;
    const buf = slot(ring, next).subarray(0, lengths[i]!);
    if (req.skipZeros) writeSparse(buf, positions[i]!);
    else writeOut(buf, positions[i]!);
    Atomics.store(ctl, WRITTEN, ++next);
    Atomics.notify(ctl, WRITTEN);
    done += buf.length;
    if (done - told >= req.progressEvery) {
      told = done;
      post({ kind: 'progress', done });
    }
  }
  if (at === 'stopped') throw new Stopped();
  post({ kind: 'done', done });
} catch (err) {
  if (err instanceof Stopped) post({ kind: 'stopped' });
  else {
    const e = err as NodeJS.ErrnoException;
    post({ kind: 'write-error', message: e.message, code: e.code, syscall: e.syscall, errno: e.errno });
  }
  // The reader and the hasher stop too: nothing frees their slots any more.
  Atomics.store(ctl, STOP, 1);
  Atomics.notify(ctl, WRITTEN);
} finally {
  if (direct !== undefined) closeSync(direct);
}
