/** Reassembles whole libvirt packets from arbitrarily split socket chunks. */
import { HEADER_SIZE, LEN_SIZE, MAX_PACKET } from './packet.js';

export type FrameProblem = { kind: 'bad-length'; length: number };

export class Framer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken = false;

  /**
   * @param onFrame receives each whole frame, length word included
   * @param onMalformed told when the stream cannot be framed; after that the framer stops
   *   (a bad length leaves no way to find the next packet boundary)
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onMalformed: (problem: FrameProblem) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < LEN_SIZE) return;
      const head = this.peek(LEN_SIZE);
      const length = head.readUInt32BE(0);
      if (length < LEN_SIZE + HEADER_SIZE || length - LEN_SIZE > MAX_PACKET) {
        this.broken = true;
        this.chunks = [];
        this.buffered = 0;
        this.onMalformed({ kind: 'bad-length', length });
        return;
      }
      if (this.buffered < length) return;
      this.onFrame(this.take(length));
    }
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
