/**
 * A streaming POSIX pax tar writer for bundles. Output depends only on the entries and the one
 * mtime: mode 0644, owner 0:0, no user or group names. Long names and sizes past 8 GiB - 1 go in
 * pax records; sparse files in GNU sparse 1.0, which GNU tar lists and extracts as sparse files.
 */
import { TarEntrySizeError } from './errors.js';
import { encodePaxRecords } from './pax.js';
import { encodeSparseMap, segmentsProblem, type Segment } from './sparse-map.js';
import { MAX_OCTAL_SIZE, ZEROS, encodeHeader, paddingOf } from './tar-header.js';
import { nameProblem, placeholderName, ustarSplit } from './tar-name.js';

/** Where the archive goes: a file, a compressor's stdin, a hash. Each chunk is awaited before the next. */
export type TarSink = (chunk: Buffer) => Promise<void>;

/** Takes exactly the bytes its entry declared; `close` refuses a short entry. */
export interface TarEntryWriter {
  /** The chunk is handed to the sink as it is (not copied): keep it unchanged until this resolves. */
  write(chunk: Buffer): Promise<void>;
  /** `n` of the entry's bytes were written to the output by someone else, right where they go. */
  copied(n: number): void;
  close(): Promise<void>;
}

export class TarWriter {
  private readonly mtime: number;
  private open: EntryWriter | undefined;
  private finished = false;
  private written = 0;

  constructor(
    private readonly sink: TarSink,
    options: { mtime: Date },
  ) {
    this.mtime = Math.floor(options.mtime.getTime() / 1000);
    if (!(this.mtime >= 0 && this.mtime <= MAX_OCTAL_SIZE))
      throw new RangeError('tar writer: mtime out of range');
  }

  /** Bytes written so far: where the next entry's header starts. */
  get offset(): number {
    return this.written;
  }

  async addFile(name: string, data: Buffer): Promise<void> {
    const entry = await this.openEntry(name, data.length);
    await entry.write(data);
    await entry.close();
  }

  async openEntry(name: string, size: number): Promise<TarEntryWriter> {
    this.ready(name, size);
    const entry = new EntryWriter(this, name, size, size);
    this.open = entry;
    await this.emit(plainHeader(name, size, this.mtime));
    return entry;
  }

  /**
   * A sparse file of `realSize` bytes whose data is `segments` (sorted, not overlapping; empty
   * ones are dropped): write the segments' bytes one after another, nothing for the holes.
   */
  async openSparseEntry(
    name: string,
    realSize: number,
    segments: readonly Segment[],
  ): Promise<TarEntryWriter> {
    this.ready(name, realSize);
    const problem = segmentsProblem(segments, realSize);
    if (problem) throw new RangeError(`tar writer: "${name}": ${problem}`);
    const map = encodeSparseMap(segments, realSize);
    const data = segments.reduce((sum, s) => sum + s.length, 0);
    const stored = map.length + data;
    const records: [string, string][] = [
      ['GNU.sparse.major', '1'],
      ['GNU.sparse.minor', '0'],
      ['GNU.sparse.name', name],
      ['GNU.sparse.realsize', String(realSize)],
    ];
    if (stored > MAX_OCTAL_SIZE) records.push(['size', String(stored)]);
    const entry = new EntryWriter(this, name, stored, data);
    this.open = entry;
    await this.emit(withPax(name, placeholderName(name, 'GNUSparseFile.0'), stored, records, this.mtime));
    await this.emit(map);
    return entry;
  }

  /** The two zero blocks that end an archive; the writer takes nothing after them. */
  async finish(): Promise<void> {
    if (this.open) throw new Error(`tar writer: the entry "${this.open.name}" is still open`);
    if (this.finished) throw new Error('tar writer: finish() was already called');
    this.finished = true;
    await this.emit(ZEROS);
  }

  private ready(name: string, size: number): void {
    if (this.finished) throw new Error('tar writer: the archive is already finished');
    if (this.open) throw new Error(`tar writer: the entry "${this.open.name}" is still open`);
    const problem = nameProblem(name);
    if (problem) throw new RangeError(`tar writer: "${name}": ${problem}`);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RangeError(`tar writer: "${name}": bad size ${size}`);
  }

  /** @internal */
  async emit(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    await this.sink(chunk);
    this.written += chunk.length;
  }

  /** @internal */
  skipped(n: number): void {
    this.written += n;
  }

  /** @internal */
  closed(entry: EntryWriter): void {
    if (this.open === entry) this.open = undefined;
  }
}

class EntryWriter implements TarEntryWriter {
  private got = 0;

  constructor(
    private readonly tar: TarWriter,
    readonly name: string,
    private readonly stored: number,
    private readonly expected: number,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.got + chunk.length > this.expected)
      throw new TarEntrySizeError(this.name, this.expected, this.got + chunk.length);
    this.got += chunk.length;
    await this.tar.emit(chunk);
  }

  copied(n: number): void {
    if (this.got + n > this.expected) throw new TarEntrySizeError(this.name, this.expected, this.got + n);
    this.got += n;
    this.tar.skipped(n);
  }

  async close(): Promise<void> {
    if (this.got !== this.expected) throw new TarEntrySizeError(this.name, this.expected, this.got);
    await this.tar.emit(ZEROS.subarray(0, paddingOf(this.stored)));
    this.tar.closed(this);
  }
}

/** The header bytes of a plain entry: one ustar block, or a pax header before it when needed. */
function plainHeader(name: string, size: number, mtime: number): Buffer {
  const records: [string, string][] = [];
  if (!ustarSplit(name)) records.push(['path', name]);
  if (size > MAX_OCTAL_SIZE) records.push(['size', String(size)]);
  if (records.length === 0) return encodeHeader(name, size, 'file', mtime);
  return withPax(name, ustarSplit(name) ? name : placeholderName(name, 'PaxHeaders'), size, records, mtime);
}

/** A pax header (its block, records, padding) and then the entry's own ustar block. */
function withPax(
  name: string,
  headerName: string,
  size: number,
  records: [string, string][],
  mtime: number,
): Buffer {
  const data = encodePaxRecords(records);
  const paxName = placeholderName(name, 'PaxHeaders');
  return Buffer.concat([
    encodeHeader(paxName, data.length, 'pax', mtime),
    data,
    ZEROS.subarray(0, paddingOf(data.length)),
    encodeHeader(headerName, size > MAX_OCTAL_SIZE ? 0 : size, 'file', mtime),
  ]);
}

/**
 * The exact bytes a plain entry of `size` bytes takes (headers and padding included), so a caller
 * can write it now and overwrite it in place later with other data of the same size.
 */
export function tarEntryLength(name: string, size: number): number {
  return plainHeader(name, size, 0).length + size + paddingOf(size);
}
