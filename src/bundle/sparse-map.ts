/**
 * The GNU sparse 1.0 map: at the start of a sparse entry's stored data, decimal lines (the number
 * of segments, then each segment's offset and length), padded with NULs to a whole block. The
 * segments' bytes follow, in order; everything between them is a hole.
 */
import { BLOCK, paddingOf } from './tar-header.js';

/** A run of data in a sparse file; the bytes outside every segment are zeros (holes). */
export interface Segment {
  offset: number;
  length: number;
}

/** Default cap on a map's segments, so a hostile count cannot make the reader hold millions. */
export const MAX_SPARSE_SEGMENTS = 1 << 20;

/**
 * Why `segments` cannot describe a file of `realSize` bytes, or undefined when they can. Besides
 * being sorted, apart and inside the file, every segment but the last with data must be a whole
 * number of blocks long: GNU tar reads each segment's data in whole blocks, so a shorter one would
 * shift every later segment when it extracts the file.
 */
export function segmentsProblem(segments: readonly Segment[], realSize: number): string | undefined {
  let end = 0;
  let partial: number | undefined;
  for (const [i, { offset, length }] of segments.entries()) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
      return `segment ${i} is not a pair of whole numbers`;
    if (offset < end)
      return `segment ${i} starts at ${offset}, before the previous one ends (${end}): unsorted or overlapping`;
    end = offset + length;
    if (end > realSize) return `segment ${i} ends at ${end}, past the real size ${realSize}`;
    if (length > 0 && partial !== undefined)
      return `segment ${partial} is not a multiple of ${BLOCK} bytes long but data follows it`;
    if (length % BLOCK !== 0) partial = i;
  }
  return undefined;
}

/**
 * The map GNU tar writes for `segments`, padded to a block. Empty segments are left out; a file that
 * ends in a hole gets a last empty segment at its real size, which is what makes GNU tar's extraction
 * give the file its full length.
 */
export function encodeSparseMap(segments: readonly Segment[], realSize: number): Buffer {
  const kept = segments.filter((s) => s.length > 0);
  const last = kept.at(-1);
  const end = last ? last.offset + last.length : 0;
  if (end < realSize) kept.push({ offset: realSize, length: 0 });
  const lines = [String(kept.length), ...kept.flatMap((s) => [String(s.offset), String(s.length)])];
  const text = `${lines.join('\n')}\n`;
  const map = Buffer.alloc(text.length + paddingOf(text.length));
  map.write(text, 'latin1');
  return map;
}

/** The bytes `encodeSparseMap` takes for these segments. */
export function sparseMapLength(segments: readonly Segment[], realSize: number): number {
  return encodeSparseMap(segments, realSize).length;
}

/**
 * Reads a map one block at a time (`push` until `done`), with no line longer than a safe integer and
 * no more segments than `maxSegments`. Throws an Error whose message is the reason.
 */
export class SparseMapParser {
  private readonly numbers: number[] = [];
  private digits = '';
  private wanted = 1;
  done = false;

  constructor(private readonly maxSegments: number) {}

  push(block: Buffer): void {
    if (block.length !== BLOCK) throw new Error('the sparse map is cut short');
    for (const c of block) {
      if (this.done) {
        if (c !== 0) throw new Error('the sparse map has bytes after its last line');
      } else if (c === 0x0a) {
        this.endLine();
      } else if (c >= 0x30 && c <= 0x39) {
        if (this.digits.length === 16) throw new Error('the sparse map has a number too long');
        this.digits += String.fromCharCode(c);
      } else {
        throw new Error(`the sparse map has ${c === 0 ? 'a NUL' : 'a bad byte'} inside its numbers`);
      }
    }
  }

  private endLine(): void {
    const n = Number(this.digits);
    if (!/^(0|[1-9][0-9]*)$/.test(this.digits) || !Number.isSafeInteger(n))
      throw new Error('the sparse map has a line that is not a decimal number');
    this.digits = '';
    if (this.numbers.length === 0) {
      if (n > this.maxSegments)
        throw new Error(`the sparse map has ${n} segments, more than ${this.maxSegments}`);
      this.wanted = 1 + 2 * n;
    }
    this.numbers.push(n);
    if (this.numbers.length === this.wanted) this.done = true;
  }

  /** The segments read, empty ones included (as they were in the map). */
  segments(): Segment[] {
    const out: Segment[] = [];
    for (let i = 1; i + 1 < this.numbers.length; i += 2)
      out.push({ offset: this.numbers[i]!, length: this.numbers[i + 1]! });
    return out;
  }
}
