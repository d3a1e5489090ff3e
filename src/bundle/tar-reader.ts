/**
 * The strict reader of bundle tar streams: the security boundary of `phyllo vm import`. It takes
 * regular files (with pax headers for long names, big sizes and GNU sparse 1.0) and refuses all
 * else: links, devices, directories, odd or repeated names, damage, anything past the limits. A
 * bundle is written by Phyllome, so there is nothing to be lenient for.
 */
import { ByteSource } from './byte-source.js';
import { BundleFormatError, type BundleFormatReason } from './errors.js';
import { PAX_MAX, PaxProblem, paxFields, parsePaxRecords, type PaxFields } from './pax.js';
import { MAX_SPARSE_SEGMENTS, SparseMapParser, segmentsProblem, type Segment } from './sparse-map.js';
import {
  BLOCK,
  HeaderProblem,
  decodeHeader,
  isZeroBlock,
  paddingOf,
  type DecodedHeader,
} from './tar-header.js';
import { nameProblem } from './tar-name.js';

export interface TarLimits {
  /** Most entries an archive may hold. */
  maxEntries: number;
  /** Most bytes one entry may have, stored and real (a sparse file's full length). */
  maxEntrySize: number;
  /** Most stored bytes of all entries together (their data, not headers). */
  maxTotal: number;
  /** Most segments of one sparse map; MAX_SPARSE_SEGMENTS when left out. */
  maxSparseSegments?: number;
  /**
   * Why an entry name is refused, or undefined when it is fine; a bundle's rule (`nameProblem`)
   * when left out. An OVA's names are other tools' (VirtualBox names disks after the file, spaces and all).
   */
  nameProblem?: (name: string) => string | undefined;
}

export interface TarEntry {
  name: string;
  /** Bytes stored in the archive (for a sparse entry: its map and its segments' data). */
  size: number;
  /** The file's length once extracted: `size` for a plain entry, larger for a sparse one. */
  realSize: number;
  /** A sparse entry's data segments, sorted, none empty; `body` yields their bytes in order. */
  sparse?: Segment[];
  /** The entry's data, as views of the input's chunks. Read it, or leave it: the next entry skips the rest. */
  body: TarBody;
}

export interface TarBody extends AsyncIterable<Buffer> {
  /**
   * Where the data not read yet lies in the file the archive is, when it is one (an uncompressed
   * bundle file): to be copied from there by offset and left, unread, for the next entry to skip.
   */
  inFile(): { file: string; offset: number; length: number } | undefined;
}

/** Trailing zeros accepted after the end blocks (GNU tar fills its last 10 KiB record). */
const TRAILING_MAX = 1024 * 1024;

/**
 * The entries of a tar stream, one at a time. Each header is checked before its entry is yielded;
 * the body is checked as it is read (or skipped), and the end of the archive after the last entry.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  limits: TarLimits,
): AsyncGenerator<TarEntry, void, undefined> {
  const input = new ByteSource(source);
  const names = new Set<string>();
  let total = 0;
  let body: EntryBody | undefined;
  try {
    for (;;) {
      if (body) await body.skipRest();
      const at = input.offset;
      const block = await readHeaderBlock(input, at);
      if (!block) return await readEnd(input, at);
      let header = decode(block, at);
      let pax: PaxFields | undefined;
      if (header.typeflag === 0x78 /* x */) {
        pax = await readPax(input, header, at);
        const next = await readHeaderBlock(input, input.offset);
        if (!next)
          throw new BundleFormatError('truncated', 'a pax header is followed by the end of the archive', {
            offset: at,
          });
        header = decode(next, input.offset - BLOCK);
        if (header.typeflag === 0x78)
          throw new BundleFormatError('entry-type', 'two pax headers follow each other', { offset: at });
      }
      const entry = describe(header, pax, at, limits.nameProblem ?? nameProblem);
      checkLimits(entry, names, total, limits);
      names.add(entry.name);
      total += entry.size;
      body = new EntryBody(input, entry.name, entry.size);
      if (entry.sparse) await readSparseMap(body, entry, limits.maxSparseSegments ?? MAX_SPARSE_SEGMENTS);
      yield { ...entry, body };
    }
  } finally {
    await input.close();
  }
}

type EntryFacts = Omit<TarEntry, 'body'>;

/** One header block, or undefined for the first end block; refuses a stream that ends there. */
async function readHeaderBlock(input: ByteSource, at: number): Promise<Buffer | undefined> {
  const block = await input.read(BLOCK);
  if (block.length === 0)
    throw new BundleFormatError('truncated', 'the archive ends without its two zero end blocks', {
      offset: at,
    });
  if (block.length < BLOCK)
    throw new BundleFormatError('truncated', 'the archive ends inside a header', { offset: at });
  return isZeroBlock(block) ? undefined : block;
}

function decode(block: Buffer, at: number): DecodedHeader {
  try {
    return decodeHeader(block);
  } catch (err) {
    if (err instanceof HeaderProblem) throw new BundleFormatError(err.reason, err.message, { offset: at });
    throw err;
  }
}

async function readPax(input: ByteSource, header: DecodedHeader, at: number): Promise<PaxFields> {
  if (header.size > PAX_MAX)
    throw new BundleFormatError(
      'too-large',
      `a pax header of ${header.size} bytes is larger than ${PAX_MAX}`,
      { offset: at },
    );
  const length = header.size + paddingOf(header.size);
  const data = await input.read(length);
  if (data.length < length)
    throw new BundleFormatError('truncated', 'the archive ends inside a pax header', { offset: at });
  if (!isZeroBlock(data.subarray(header.size)))
    throw new BundleFormatError('padding', 'a pax header has non-zero bytes in its padding', { offset: at });
  try {
    return paxFields(parsePaxRecords(data.subarray(0, header.size)));
  } catch (err) {
    if (err instanceof PaxProblem) throw new BundleFormatError(err.reason, err.message, { offset: at });
    throw err;
  }
}

const TYPE_WORDS: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '5': 'a directory',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  g: 'a global pax header',
  L: 'a GNU long name',
  K: 'a GNU long link name',
  S: 'an old GNU sparse file',
};

/** The entry a header (and its pax header) describes, once its type, name and size are checked. */
function describe(
  header: DecodedHeader,
  pax: PaxFields | undefined,
  at: number,
  nameRule: (name: string) => string | undefined,
): EntryFacts {
  const name = pax?.sparse?.name ?? pax?.path ?? header.name;
  if (header.typeflag !== 0x30 && header.typeflag !== 0) {
    const flag = String.fromCharCode(header.typeflag);
    const what = TYPE_WORDS[flag] ?? `type "${JSON.stringify(flag).slice(1, -1)}"`;
    throw new BundleFormatError('entry-type', `it is ${what}; only regular files are taken`, {
      entry: name,
    });
  }
  const problem = nameRule(name);
  if (problem) throw new BundleFormatError('name', problem, nameProblemWhere(name, at));
  let size = header.size;
  if (pax?.size !== undefined) {
    if (header.size !== 0 && header.size !== pax.size)
      throw new BundleFormatError(
        'pax-size',
        `its pax size ${pax.size} disagrees with its header size ${header.size}`,
        { entry: name },
      );
    size = pax.size;
  }
  if (!pax?.sparse) return { name, size, realSize: size };
  return { name, size, realSize: pax.sparse.realSize, sparse: [] };
}

/** A name that is itself the problem is shown only when it is printable. */
function nameProblemWhere(name: string, at: number): { entry?: string; offset?: number } {
  return /^[\x20-\x7e]*$/.test(name) && name.length <= 200 ? { entry: name } : { offset: at };
}

function checkLimits(entry: EntryFacts, names: Set<string>, total: number, limits: TarLimits): void {
  const fail = (reason: BundleFormatReason, detail: string) =>
    new BundleFormatError(reason, detail, { entry: entry.name });
  if (names.has(entry.name)) throw fail('duplicate-name', 'the name appears twice in the archive');
  if (names.size >= limits.maxEntries)
    throw fail('too-many-entries', `the archive has more than ${limits.maxEntries} entries`);
  if (entry.size > limits.maxEntrySize)
    throw fail('too-large', `its stored size ${entry.size} is larger than the limit ${limits.maxEntrySize}`);
  if (entry.realSize > limits.maxEntrySize)
    throw fail(
      'too-large',
      `its real size ${entry.realSize} is larger than the limit ${limits.maxEntrySize}`,
    );
  if (total + entry.size > limits.maxTotal)
    throw fail(
      'too-large',
      `the entries so far hold ${total + entry.size} bytes, more than the limit ${limits.maxTotal}`,
    );
}

/** Reads the map at the start of a sparse entry's data and checks it against the entry's sizes. */
async function readSparseMap(body: EntryBody, entry: EntryFacts, maxSegments: number): Promise<void> {
  const fail = (detail: string) => new BundleFormatError('sparse-map', detail, { entry: entry.name });
  const parser = new SparseMapParser(maxSegments);
  let mapLength = 0;
  while (!parser.done) {
    if (mapLength + BLOCK > entry.size) throw fail('the sparse map runs past the stored data');
    const block = await body.readExact(BLOCK);
    mapLength += BLOCK;
    try {
      parser.push(block);
    } catch (err) {
      throw fail((err as Error).message);
    }
  }
  const segments = parser.segments();
  const problem = segmentsProblem(segments, entry.realSize);
  if (problem) throw fail(`the sparse map is wrong: ${problem}`);
  const data = segments.reduce((sum, s) => sum + s.length, 0);
  if (mapLength + data !== entry.size)
    throw fail(
      `the sparse map (${mapLength} bytes) and its segments (${data} bytes) do not add up to the stored size ${entry.size}`,
    );
  // GNU tar sizes the extracted file by where the last segment ends (an empty one when the file ends
  // in a hole): a map stopping short would give it a shorter file than ours.
  const last = segments.at(-1);
  if (entry.realSize > 0 && (!last || last.offset + last.length !== entry.realSize))
    throw fail(`the sparse map does not reach the real size ${entry.realSize}`);
  entry.sparse = segments.filter((s) => s.length > 0);
}

/** One entry's data: handed on as it arrives, then its padding checked. */
class EntryBody implements TarBody {
  private left: number;
  private readonly padding: number;
  private iterated = false;

  constructor(
    private readonly input: ByteSource,
    private readonly name: string,
    size: number,
  ) {
    this.left = size;
    this.padding = paddingOf(size);
  }

  private truncated(): BundleFormatError {
    return new BundleFormatError('truncated', 'the archive ends inside its data', { entry: this.name });
  }

  async readExact(n: number): Promise<Buffer> {
    const data = await this.input.read(n);
    this.left -= data.length;
    if (data.length < n) throw this.truncated();
    return data;
  }

  inFile(): { file: string; offset: number; length: number } | undefined {
    const file = this.input.file;
    return file === undefined || this.iterated
      ? undefined
      : { file, offset: this.input.offset, length: this.left };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.iterated) throw new Error(`tar reader: the body of "${this.name}" was already read`);
    this.iterated = true;
    while (this.left > 0) {
      const chunk = await this.input.take(this.left);
      if (!chunk) throw this.truncated();
      this.left -= chunk.length;
      yield chunk;
    }
  }

  /** Passes over what the caller did not read, then the padding, which must be zeros. */
  async skipRest(): Promise<void> {
    this.iterated = true;
    if (this.left > 0) {
      this.left -= await this.input.skip(this.left);
      if (this.left > 0) throw this.truncated();
    }
    const padding = await this.input.read(this.padding);
    if (padding.length < this.padding)
      throw new BundleFormatError('truncated', 'the archive ends inside the padding after its data', {
        entry: this.name,
      });
    if (!isZeroBlock(padding))
      throw new BundleFormatError('padding', 'the padding after its data has non-zero bytes', {
        entry: this.name,
      });
  }
}

/** After the first zero block: a second one, then nothing but zeros to the end of the stream. */
async function readEnd(input: ByteSource, at: number): Promise<void> {
  const second = await input.read(BLOCK);
  if (second.length < BLOCK)
    throw new BundleFormatError('truncated', 'the archive ends after only one zero end block', {
      offset: at,
    });
  if (!isZeroBlock(second))
    throw new BundleFormatError(
      'trailing-data',
      'a zero block is followed by more data, not a second zero block',
      { offset: at },
    );
  let trailing = 0;
  for (let chunk = await input.take(BLOCK); chunk; chunk = await input.take(BLOCK)) {
    trailing += chunk.length;
    const offset = input.offset - chunk.length;
    if (!isZeroBlock(chunk))
      throw new BundleFormatError('trailing-data', 'there are bytes after the end of the archive', {
        offset,
      });
    if (trailing > TRAILING_MAX)
      throw new BundleFormatError(
        'trailing-data',
        'more than 1 MiB of zeros follows the end of the archive',
        { offset },
      );
  }
}
