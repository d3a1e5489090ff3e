/**
 * A WebSocket client of /api/events for tests (the `ws` package, as any script would use): every
 * message kept with the time it arrived (performance.now()), and a wait for the next one that matches.
 */
import WebSocket from 'ws';
import { waitFor } from './wait.js';

export interface Received {
  at: number;
  // Messages are whatever the server sent; tests read their fields.
  m: Record<string, unknown> & { type: string };
}

export class EventsClient {
  readonly received: Received[] = [];
  private cursor = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) =>
      this.received.push({ at: performance.now(), m: JSON.parse(data.toString()) as Received['m'] }),
    );
  }

  /** Opens `url` with these headers; resolves once the server said hello. */
  static async open(url: string, headers: Record<string, string>): Promise<EventsClient> {
    const socket = new WebSocket(url, { headers });
    const c = new EventsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await c.next((m) => m.type === 'hello', 'hello');
    return c;
  }

  /** Upgrade refused: the HTTP status and the error body. */
  static async refused(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      socket.once('error', () => undefined);
    });
  }

  send(m: unknown): void {
    this.socket.send(JSON.stringify(m));
  }

  /** The next message (after those already taken by `next`) that matches. */
  async next(match: (m: Received['m']) => boolean, what: string, limitMs = 120_000): Promise<Received> {
    return waitFor(
      what,
      () => {
        for (let i = this.cursor; i < this.received.length; i++)
          if (match(this.received[i]!.m)) {
            this.cursor = i + 1;
            return this.received[i];
          }
        return undefined;
      },
      {
        limitMs,
        everyMs: 5,
        context: () => JSON.stringify(this.received.slice(-5).map((r) => r.m)),
      },
    );
  }

  /** Every message so far of this type. */
  all(type: string): Received[] {
    return this.received.filter((r) => r.m.type === type);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.socket.once('close', r));
    this.socket.close();
    await closed;
  }
}
