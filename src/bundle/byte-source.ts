/**
 * A stream that can pass over bytes without reading them: a regular file's bytes from its start
 * (file-chunks.ts), or a bundle's tar stream while that is still the file's bytes one for one.
 */
export interface SkippingSource extends AsyncIterable<Uint8Array> {
  /** The file whose bytes these are, at the same offsets; undefined when they are not (a compressed bundle). */
  readonly file: string | undefined;
  /**
   * Moves the next chunk up to `n` bytes on (not past the end); only between chunks, never while one
   * is awaited. Returns how far it moved.
   */
  skip(n: number): number;
}

export function isSkipping(s: AsyncIterable<Uint8Array>): s is SkippingSource {
  return typeof (s as Partial<SkippingSource>).skip === 'function';
}

/**
 * Pulls bytes from a stream of chunks that can be split anywhere. Data is handed on as views of the
 * chunks it arrived in; only a read that spans chunks (a header across a boundary) copies.
 */
export class ByteSource {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private readonly skipper: SkippingSource | undefined;
  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;
  private ended = false;
  /** Bytes taken so far: where the next read starts in the stream. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.chunks = source[Symbol.asyncIterator]();
    this.skipper = isSkipping(source) ? source : undefined;
  }

  /** The file this stream's offsets are offsets in, when there is one (see SkippingSource). */
  get file(): string | undefined {
    return this.skipper?.file;
  }

  /** Passes over `n` bytes: from the current chunk, then unread where the source can skip; the bytes passed. */
  async skip(n: number): Promise<number> {
    let left = n;
    const here = Math.min(left, this.chunk.length - this.at);
    this.at += here;
    this.offset += here;
    left -= here;
    if (left > 0 && this.skipper && !this.ended) {
      const moved = this.skipper.skip(left);
      this.offset += moved;
      left -= moved;
    }
    while (left > 0) {
      const part = await this.take(left);
      if (!part) break;
      left -= part.length;
    }
    return n - left;
  }

  /** Makes sure some bytes are waiting; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    while (this.at === this.chunk.length) {
      if (this.ended) return false;
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const value = next.value;
      this.chunk = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      this.at = 0;
    }
    return true;
  }

  /** Up to `max` bytes (at least one) from the current chunk, or undefined at the end. */
  async take(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill())) return undefined;
    const n = Math.min(max, this.chunk.length - this.at);
    const out = this.chunk.subarray(this.at, this.at + n);
    this.at += n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes, or fewer only when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    const first = await this.take(n);
    if (!first || first.length === n) return first ?? Buffer.alloc(0);
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const part = await this.take(n - got);
      if (!part) break;
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, got);
  }

  /** Lets the producer of the chunks stop (closes a file, ends a child's pipe). */
  async close(): Promise<void> {
    this.ended = true;
    await this.chunks.return?.();
  }
}
