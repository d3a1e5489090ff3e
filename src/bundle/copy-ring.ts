/**
 * The shared ring of file-copy.ts's three workers: SLOTS buffers of one chunk each in shared memory.
 * The reader (read-worker.ts) reads a chunk into the next free slot and publishes it with where it
 * goes; the writer (write-worker.ts) writes published slots out in order, and the hasher
 * (hash-worker.ts) hashes them in order, both reading the same bytes at once. A slot is free again
 * once both are done with it. The reader and the writer mostly wait for the device (direct I/O), so
 * SHA-256 has a core to itself. Only Node's built-ins: the workers load it from their own files.
 */
export const SLOTS = 16;

/** Indexes into the control words. */
export const STOP = 0; // set by the main thread or a failing worker: stop now
export const READ = 1; // slots published by the reader (counts up, never wraps back)
export const WRITTEN = 2; // slots the writer is done with
export const HASHED = 3; // slots the hasher is done with
export const END = 4; // 1: the reader published its last slot; 2: it stopped without finishing
const WORDS = 5;

export interface Ring {
  control: SharedArrayBuffer;
  /** Each slot's byte count. */
  lengths: SharedArrayBuffer;
  /** Each slot's offset in the output. */
  positions: SharedArrayBuffer;
  data: SharedArrayBuffer;
  chunk: number;
}

// Node has WebAssembly; its types here (no DOM library) do not.
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer };
};

/** WebAssembly's page: the data's memory comes in whole ones. */
const WASM_PAGE = 64 << 10;

/**
 * The data lives in a shared WebAssembly memory: V8 maps it at a page boundary, as direct I/O needs
 * (a plain SharedArrayBuffer comes from malloc, 16 bytes past one). Were it not aligned, the workers'
 * direct reads and writes would fail with EINVAL and fall back to buffered ones (direct-io.ts), as
 * they do with `pageAligned` false (tests) or in a Node without WebAssembly (`phyllo serve` runs
 * with --lite-mode, which turns it off): a plain SharedArrayBuffer then.
 */
export function makeRing(chunk: number, pageAligned = true): Ring {
  const pages = Math.ceil((SLOTS * chunk) / WASM_PAGE);
  return {
    control: new SharedArrayBuffer(WORDS * 4),
    lengths: new SharedArrayBuffer(SLOTS * 4),
    positions: new SharedArrayBuffer(SLOTS * 8),
    data:
      pageAligned && typeof WebAssembly !== 'undefined'
        ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer
        : new SharedArrayBuffer(SLOTS * chunk),
    chunk,
  };
}

/** Slot `i`'s buffer (a view of the shared memory). */
export function slot(r: Ring, i: number): Buffer {
  return Buffer.from(r.data, (i % SLOTS) * r.chunk, r.chunk);
}

/** Waits (up to 50 ms, then the caller looks again) for control word `at` to move on from `seen`. */
export function waitFor(ctl: Int32Array, at: number, seen: number): void {
  Atomics.wait(ctl, at, seen, 50);
}

/**
 * For the ring's consumers (the writer, the hasher): waits until slot `next` is published, then says
 * 'slot'; 'end' once the reader published its last slot and `next` is past it; 'stopped' when the copy
 * was stopped, or the reader stopped without finishing and `next` is past what it published.
 */
export function nextPublished(ctl: Int32Array, next: number): 'slot' | 'end' | 'stopped' {
  for (;;) {
    if (Atomics.load(ctl, STOP) !== 0) return 'stopped';
    // END first: once it is set, READ holds every slot there will be.
    const end = Atomics.load(ctl, END);
    const read = Atomics.load(ctl, READ);
    if (next < read) return 'slot';
    if (end === 1) return 'end';
    if (end === 2) return 'stopped';
    waitFor(ctl, READ, read);
  }
}
