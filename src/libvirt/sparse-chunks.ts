import { StreamHole, type StreamChunk } from './streams.js';
import { forEachZeroRun, HOLE_BLOCK } from './zero-runs.js';

/**
 * `bytes` as a sparse stream's chunks: each run of `block`-sized blocks (4 KiB) that hold only zeros becomes one hole
 * (`forEachZeroRun`), the rest data (views of `bytes`, not copies). Written to a sparse upload, they
 * make the same file with the holes unallocated; a trailing hole extends the file to its full length,
 * as a hole anywhere else does.
 */
export function sparseChunks(bytes: Buffer, block = HOLE_BLOCK): StreamChunk[] {
  const chunks: StreamChunk[] = [];
  forEachZeroRun(
    bytes,
    (start, end, zero) => chunks.push(zero ? new StreamHole(end - start) : bytes.subarray(start, end)),
    block,
  );
  return chunks;
}
