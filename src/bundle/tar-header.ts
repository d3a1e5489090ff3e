/**
 * The 512-byte POSIX ustar header: encoding for the writer, strict decoding for the reader. Only the
 * fields a bundle needs are read (name, size, type); the others are written with fixed values so the
 * same input gives the same bytes.
 */
import { ustarSplit } from './tar-name.js';

export const BLOCK = 512;

/** The largest size the 12-byte octal field holds (11 digits): 8 GiB - 1. Larger needs pax `size`. */
export const MAX_OCTAL_SIZE = 0o77777777777;

/** Shared zeros for padding and end blocks; never written into. */
export const ZEROS = Buffer.alloc(2 * BLOCK);

export type HeaderType = 'file' | 'pax';

/** Bytes of padding that bring `size` up to a whole number of blocks. */
export function paddingOf(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

// Field offsets and lengths (POSIX ustar).
const NAME = [0, 100] as const;
const MODE = [100, 8] as const;
const UID = [108, 8] as const;
const GID = [116, 8] as const;
const SIZE = [124, 12] as const;
const MTIME = [136, 12] as const;
const CHKSUM = [148, 8] as const;
const TYPEFLAG = 156;
const MAGIC = [257, 8] as const; // "ustar\0" then version "00"
const DEVMAJOR = [329, 8] as const;
const DEVMINOR = [337, 8] as const;
const PREFIX = [345, 155] as const;

const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');

/**
 * One header block. `name` must fit the ustar fields (see `ustarSplit`), `size` must be at most
 * MAX_OCTAL_SIZE (0 when a pax record carries it), `mtime` in whole seconds.
 */
export function encodeHeader(name: string, size: number, type: HeaderType, mtime: number): Buffer {
  const split = ustarSplit(name);
  if (!split) throw new RangeError(`tar header: the name "${name}" does not fit a ustar header`);
  if (size > MAX_OCTAL_SIZE) throw new RangeError(`tar header: size ${size} needs a pax record`);
  const block = Buffer.alloc(BLOCK);
  block.write(split.name, NAME[0], NAME[1], 'latin1');
  block.write(split.prefix, PREFIX[0], PREFIX[1], 'latin1');
  writeOctal(block, MODE, 0o644);
  writeOctal(block, UID, 0);
  writeOctal(block, GID, 0);
  writeOctal(block, SIZE, size);
  writeOctal(block, MTIME, mtime);
  block[TYPEFLAG] = type === 'pax' ? 0x78 /* x */ : 0x30; /* 0 */
  USTAR_MAGIC.copy(block, MAGIC[0]);
  writeOctal(block, DEVMAJOR, 0);
  writeOctal(block, DEVMINOR, 0);
  // Six digits, NUL, space: the layout GNU tar and POSIX readers expect.
  block.write(`${checksumOf(block).toString(8).padStart(6, '0')}\0 `, CHKSUM[0], CHKSUM[1], 'latin1');
  return block;
}

function writeOctal(block: Buffer, [at, length]: readonly [number, number], value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, at, length, 'latin1');
}

/** The unsigned sum of the header's bytes, counting the checksum field as eight spaces. */
export function checksumOf(block: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < CHKSUM[0] || i >= CHKSUM[0] + CHKSUM[1]) sum += block[i]!;
  return sum;
}

export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZEROS.subarray(0, block.length));
}

/** What the reader takes from a header; `typeflag` is the raw byte, judged by the reader. */
export interface DecodedHeader {
  name: string;
  size: number;
  typeflag: number;
}

/** A header that breaks a rule: the reader turns it into a BundleFormatError. */
export class HeaderProblem extends Error {
  constructor(
    readonly reason: 'checksum' | 'header' | 'size-field',
    message: string,
  ) {
    super(message);
  }
}

/** Decodes a non-zero header block, checking its checksum, magic and size field. */
export function decodeHeader(block: Buffer): DecodedHeader {
  const stored = readOctal(block, CHKSUM);
  if (stored === undefined) throw new HeaderProblem('checksum', 'the header checksum field is not octal');
  if (stored !== checksumOf(block)) throw new HeaderProblem('checksum', 'the header checksum does not match');
  if (!block.subarray(MAGIC[0], MAGIC[0] + MAGIC[1]).equals(USTAR_MAGIC))
    throw new HeaderProblem('header', 'the header is not a POSIX ustar header (magic "ustar", version "00")');
  if (block[SIZE[0]]! & 0x80)
    throw new HeaderProblem('size-field', 'the size field is in base-256, which bundles do not use');
  const size = readOctal(block, SIZE);
  if (size === undefined) throw new HeaderProblem('size-field', 'the size field is not an octal number');
  const prefix = readText(block, PREFIX);
  const name = readText(block, NAME);
  return { name: prefix ? `${prefix}/${name}` : name, size, typeflag: block[TYPEFLAG]! };
}

/**
 * A NUL-terminated text field. Bytes after the NUL must be NULs too: something hidden there would be
 * seen by one reader and not another. A NUL inside is reported as part of the name, which refuses it.
 */
function readText(block: Buffer, [at, length]: readonly [number, number]): string {
  const field = block.subarray(at, at + length);
  const end = field.indexOf(0);
  if (end === -1) return field.toString('latin1');
  const rest = field.subarray(end);
  return rest.equals(ZEROS.subarray(0, rest.length))
    ? field.toString('latin1', 0, end)
    : field.toString('latin1').replace(/\0+$/, '');
}

/**
 * An octal field: optional leading spaces, at least one digit 0-7, then only NULs or spaces to the
 * end of the field. Undefined for anything else.
 */
function readOctal(block: Buffer, [at, length]: readonly [number, number]): number | undefined {
  let i = at;
  const end = at + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++, digits++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
  }
  if (digits === 0) return undefined;
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) return undefined;
  return value;
}
