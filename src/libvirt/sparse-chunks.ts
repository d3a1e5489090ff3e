import { StreamHole, type StreamChunk } from './streams.js';

/** The size of the blocks looked at: a filesystem's block, the smallest hole a file can have. */
export const HOLE_BLOCK = 4096;

/**
 * `bytes` as a sparse stream's chunks: each run of `block`-sized blocks that hold only zeros becomes one
 * hole (the last block may be shorter), the rest data (views of `bytes`, not copies). Written to a sparse
 * upload, they make the same file with the holes unallocated; a trailing hole extends the file to its
 * full length, as a hole anywhere else does. Blocks are compared whole (native `equals`): a byte-by-byte
 * loop over an empty qcow2 image's 192 KiB took 3 ms in a fresh process.
 */
export function sparseChunks(bytes: Buffer, block = HOLE_BLOCK): StreamChunk[] {
  const zeros = Buffer.alloc(block);
  const chunks: StreamChunk[] = [];
  let runStart = 0;
  let runIsHole: boolean | undefined;
  const close = (end: number) => {
    if (end > runStart)
      chunks.push(runIsHole ? new StreamHole(end - runStart) : bytes.subarray(runStart, end));
    runStart = end;
  };
  for (let at = 0; at < bytes.length; at += block) {
    const end = Math.min(bytes.length, at + block);
    const zero = bytes.subarray(at, end).equals(end - at === block ? zeros : zeros.subarray(0, end - at));
    if (zero !== runIsHole) {
      close(at);
      runIsHole = zero;
    }
  }
  close(bytes.length);
  return chunks;
}
