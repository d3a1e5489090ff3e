/**
 * A zstd frame made only of raw (stored) blocks, written by hand (RFC 8878, 3.1.1).
 *
 * A bundle's first tar entry, its manifest, is written first with a fixed size and rewritten in place
 * at the end of the export, when its checksums are known. In a compressed bundle that region must keep
 * its length whatever its content, which ordinary compressed output does not: a frame of raw blocks
 * is its content plus headers whose size depends only on the content's length. Decoders read
 * concatenated frames as the concatenation of their contents (RFC 8878, 3.1), so this frame followed by
 * ordinary zstd output is one valid stream that `zstd -d` reads whole.
 */

/** The frame magic number, 0xFD2FB528, as it appears on disk (little-endian). */
export const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** The largest block the format allows (Block_Maximum_Size is at most 128 KiB). */
const MAX_BLOCK = 128 * 1024;
const BLOCK_HEADER = 3;
const MAGIC_AND_DESCRIPTOR = 5;
const SINGLE_SEGMENT = 0x20;
const RAW_BLOCK = 0;
const LAST_BLOCK = 1;

/** Whether `firstBytes` (at least 4 bytes of a file) start a zstd frame. */
export function isZstd(firstBytes: Buffer): boolean {
  return firstBytes.length >= 4 && firstBytes.subarray(0, 4).equals(ZSTD_MAGIC);
}

/** The length of `storedFrame(data)` for `data` of `n` bytes: depends on `n` only. */
export function storedFrameLength(n: number): number {
  checkLength(n);
  return MAGIC_AND_DESCRIPTOR + contentSizeField(n).bytes + BLOCK_HEADER * blockCount(n) + n;
}

/**
 * A zstd frame holding `data` uncompressed: single-segment (so the header carries the content size and
 * no window descriptor), raw blocks of at most 128 KiB, the last one flagged, no checksum.
 */
export function storedFrame(data: Buffer): Buffer {
  const n = data.length;
  const out = Buffer.alloc(storedFrameLength(n));
  ZSTD_MAGIC.copy(out, 0);
  const fcs = contentSizeField(n);
  // Frame_Header_Descriptor: Frame_Content_Size_Flag in bits 7-6, Single_Segment_Flag in bit 5;
  // no checksum, no dictionary.
  out[4] = (fcs.flag << 6) | SINGLE_SEGMENT;
  let at = MAGIC_AND_DESCRIPTOR;
  if (fcs.bytes === 1) out.writeUInt8(n, at);
  else if (fcs.bytes === 2)
    out.writeUInt16LE(n - 256, at); // the 2-byte field is stored minus 256
  else if (fcs.bytes === 4) out.writeUInt32LE(n, at);
  else out.writeBigUInt64LE(BigInt(n), at);
  at += fcs.bytes;
  const blocks = blockCount(n);
  for (let i = 0; i < blocks; i++) {
    const start = i * MAX_BLOCK;
    const size = Math.min(MAX_BLOCK, n - start);
    const last = i === blocks - 1 ? LAST_BLOCK : 0;
    // Block_Header, 3 bytes little-endian: Last_Block in bit 0, Block_Type in bits 1-2, Block_Size above.
    out.writeUIntLE((size << 3) | (RAW_BLOCK << 1) | last, at, BLOCK_HEADER);
    at += BLOCK_HEADER;
    data.copy(out, at, start, start + size);
    at += size;
  }
  return out;
}

/** Even empty content needs one (empty, last) block. */
function blockCount(n: number): number {
  return Math.max(1, Math.ceil(n / MAX_BLOCK));
}

/**
 * The smallest Frame_Content_Size field that holds `n`: with the single-segment flag, flag 0 means
 * one byte (0-255), flag 1 two bytes (256-65791, stored minus 256), flag 2 four bytes, flag 3 eight.
 */
function contentSizeField(n: number): { flag: number; bytes: number } {
  if (n <= 0xff) return { flag: 0, bytes: 1 };
  if (n <= 0xffff + 256) return { flag: 1, bytes: 2 };
  if (n <= 0xffffffff) return { flag: 2, bytes: 4 };
  return { flag: 3, bytes: 8 };
}

function checkLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a byte count: ${n}`);
}
