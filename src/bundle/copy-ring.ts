/**
 * The shared ring between the copy worker and the hash worker of file-copy.ts: SLOTS buffers of one
 * chunk each in shared memory. The copier reads a chunk into the next free slot, writes it out and
 * publishes it; the hasher hashes published slots in order and frees them. So reading and writing
 * (the kernel's copies) run on one core while SHA-256 runs on the other, each waiting only when the
 * ring is full or empty. Only Node's built-ins: both workers load it from their own files.
 */
export const SLOTS = 16;

/** Indexes into the control words. */
export const STOP = 0; // set by the main thread: stop now
export const HEAD = 1; // slots published by the copier (counts up, never wraps back)
export const TAIL = 2; // slots the hasher is done with
export const END = 3; // 1: the copier published its last slot; 2: it stopped without finishing
const WORDS = 4;

export interface Ring {
  control: SharedArrayBuffer;
  lengths: SharedArrayBuffer;
  data: SharedArrayBuffer;
  chunk: number;
}

export function makeRing(chunk: number): Ring {
  return {
    control: new SharedArrayBuffer(WORDS * 4),
    lengths: new SharedArrayBuffer(SLOTS * 4),
    data: new SharedArrayBuffer(SLOTS * chunk),
    chunk,
  };
}

/** Slot `i`'s buffer (a view of the shared memory). */
export function slot(r: Ring, i: number): Buffer {
  return Buffer.from(r.data, (i % SLOTS) * r.chunk, r.chunk);
}
