/**
 * A regular file's bytes as a stream of chunks that can pass over bytes unread (SkippingSource): the
 * bundle file of `phyllo vm import FILE`. The tar reader skips a disk's data, which file-copy.ts has
 * copied from the file by offset, instead of reading it through the main thread. One read is kept in
 * flight ahead of the reader, as a read stream would; a skip drops it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { BUNDLE_CHUNK } from './chunk-size.js';
import type { SkippingSource } from './byte-source.js';

export class FileChunks implements SkippingSource {
  private pos = 0;
  private ahead: { at: number; read: Promise<Buffer> } | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly size: number,
    private readonly chunk: number,
  ) {}

  /** The file at `path` when it is a regular file (one that can be read by offset); undefined otherwise. */
  static async open(path: string, chunk = BUNDLE_CHUNK): Promise<FileChunks | undefined> {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    if (st.isFile()) return new FileChunks(path, fh, st.size, chunk);
    await fh.close();
    return undefined;
  }

  skip(n: number): number {
    const moved = Math.max(0, Math.min(n, this.size - this.pos));
    this.pos += moved;
    this.ahead = undefined;
    return moved;
  }

  private read(at: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(this.chunk);
    const p = this.fh.read(buf, 0, buf.length, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
    // A read dropped by a skip is not waited for; its failure, if any, is nobody's.
    p.catch(() => undefined);
    return p;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        if (this.closed) return { done: true, value: undefined };
        const r = this.ahead?.at === this.pos ? this.ahead.read : this.read(this.pos);
        const c = await r;
        if (c.length === 0) {
          await this.close();
          return { done: true, value: undefined };
        }
        this.pos += c.length;
        this.ahead = { at: this.pos, read: this.read(this.pos) };
        return { done: false, value: c };
      },
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ahead = this.ahead?.read;
    this.ahead = undefined;
    await ahead?.catch(() => undefined);
    await this.fh.close();
  }
}
