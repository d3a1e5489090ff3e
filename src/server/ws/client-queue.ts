/** What the queue needs of a WebSocket (the `ws` package's WebSocket has it). */
export interface QueueSocket {
  /** `cb` runs once the message is written out to the connection (or failed to be). */
  send(data: string, cb: (err?: Error) => void): void;
  /** Bytes the socket holds that the connection has not taken yet. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

export interface QueueLimits {
  /** Messages handed to the socket and not yet written out, before more wait in the queue. */
  window: number;
  /** Messages waiting in the queue before the client counts as too slow. */
  maxQueued: number;
  /** Bytes waiting (the queue and the socket's own buffer) before the client counts as too slow. */
  maxBytes: number;
  /** How long a too-slow client may take to drain before it is closed. */
  stuckMs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  window: 64,
  maxQueued: 1000,
  maxBytes: 4 * 1024 * 1024,
  stuckMs: 60_000,
};

/** WebSocket close code 1013, "try again later": the client could not keep up. */
export const CLOSE_TOO_SLOW = 1013;

/**
 * One client's outgoing messages. A message goes to the socket at once while fewer than `window`
 * are still being written out; the rest wait here. A client that does not read lets the queue grow:
 * past `maxQueued` messages or `maxBytes` the queue is dropped, later messages are dropped too, and
 * once everything handed to the socket has been written out the client gets
 * `{"type":"resync","dropped":N}` and messages flow again. One that stays stuck for `stuckMs` is
 * closed. Nothing here waits on a client, so a stuck client never delays the others.
 */
export class ClientQueue {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  private dropping = false;
  private closed = false;
  private droppedCount = 0;
  private stuckTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: QueueSocket,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {}

  /** Messages dropped since the last resync (while the client was too slow). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Whether messages are being dropped until the client has drained. */
  get overflowed(): boolean {
    return this.dropping;
  }

  get waiting(): number {
    return this.queue.length;
  }

  send(text: string): void {
    if (this.closed) return;
    if (this.dropping) {
      this.droppedCount++;
      return;
    }
    if (this.inFlight < this.limits.window && this.queue.length === 0) {
      this.write(text);
      if (this.socket.bufferedAmount > this.limits.maxBytes) this.overflow(0);
      return;
    }
    this.queue.push(text);
    this.queuedBytes += Buffer.byteLength(text);
    if (
      this.queue.length > this.limits.maxQueued ||
      this.queuedBytes + this.socket.bufferedAmount > this.limits.maxBytes
    )
      this.overflow(this.queue.length);
  }

  /** The socket closed: nothing more is sent. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    clearTimeout(this.stuckTimer);
  }

  private write(text: string): void {
    this.inFlight++;
    this.socket.send(text, (err) => {
      this.inFlight--;
      if (err) this.close();
      else this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    while (this.inFlight < this.limits.window && this.queue.length) {
      const text = this.queue.shift()!;
      this.queuedBytes -= Buffer.byteLength(text);
      this.write(text);
    }
    if (this.dropping && this.inFlight === 0) {
      this.dropping = false;
      clearTimeout(this.stuckTimer);
      const dropped = this.droppedCount;
      this.droppedCount = 0;
      this.write(JSON.stringify({ type: 'resync', dropped }));
    }
  }

  private overflow(queued: number): void {
    this.dropping = true;
    this.droppedCount += queued;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.stuckTimer = setTimeout(() => {
      if (!this.dropping || this.closed) return;
      this.close();
      this.socket.close(CLOSE_TOO_SLOW, 'too slow to keep up with events; connect again');
    }, this.limits.stuckMs);
    this.stuckTimer.unref();
  }
}
