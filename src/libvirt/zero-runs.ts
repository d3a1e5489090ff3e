/** The size of the blocks looked at: a filesystem's block, the smallest hole a file can have. */
export const HOLE_BLOCK = 4096;

const ZEROS = Buffer.alloc(HOLE_BLOCK);

/**
 * Calls `run(start, end, zero)` for each run of `bytes`, in order: the runs of whole `block`-sized
 * blocks (the last may be shorter) that hold only zeros (`zero` true), and the runs between them. Blocks
 * are compared whole (native `equals`, after a look at their first byte): a byte-by-byte loop over an
 * empty qcow2 image's 192 KiB took 3 ms in a fresh process. No imports: the disk copy's write worker
 * loads it too.
 */
export function forEachZeroRun(
  bytes: Buffer,
  run: (start: number, end: number, zero: boolean) => void,
  block = HOLE_BLOCK,
): void {
  const zeros = block === HOLE_BLOCK ? ZEROS : Buffer.alloc(block);
  let from = 0;
  let inZeros: boolean | undefined;
  for (let at = 0; at < bytes.length; at += block) {
    const end = Math.min(bytes.length, at + block);
    const zero = bytes[at] === 0 && bytes.subarray(at, end).equals(zeros.subarray(0, end - at));
    if (zero !== inZeros) {
      if (at > from) run(from, at, inZeros === true);
      from = at;
      inZeros = zero;
    }
  }
  if (bytes.length > from) run(from, bytes.length, inZeros === true);
}
