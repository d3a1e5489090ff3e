/**
 * A WebSocket client for API tests (the `ws` package, as Node 20 has no WebSocket): connect with
 * headers, see a refused upgrade's HTTP status and error body, read the bytes that arrive in order,
 * and wait for the close. Waits have a hang guard (a failure with a clear message, never a speed limit).
 */
import WebSocket from 'ws';

const HANG_GUARD_MS = 180_000;

/** The server answered the upgrade with an HTTP error instead. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: { code: string; message: string; hint?: string } },
  ) {
    super(`upgrade refused: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export interface WsClient {
  ws: WebSocket;
  /** The next `n` bytes the server sends. */
  read(n: number): Promise<Buffer>;
  /** Bytes until `text` has arrived (everything so far, as UTF-8 text, up to and including it). */
  readUntil(text: string): Promise<string>;
  /** Everything received so far that no read took. */
  pending(): Buffer;
  /** The close code and reason (resolves once the socket closed). */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket; rejects with UpgradeRefused when the server answers with an HTTP status. */
export function wsConnect(
  url: string,
  headers: Record<string, string>,
  protocols: string[] = [],
): Promise<WsClient> {
  const ws = new WebSocket(url, protocols, { headers });
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let closedInfo: { code: number; reason: string } | undefined;
  ws.on('message', (data: Buffer) => {
    buf = Buffer.concat([buf, data]);
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      closedInfo = { code, reason: reason.toString() };
      wake?.();
      resolve(closedInfo);
    }),
  );
  const until = async (what: string, ready: () => boolean): Promise<void> => {
    const limit = Date.now() + HANG_GUARD_MS;
    while (!ready()) {
      if (closedInfo)
        throw new Error(
          `closed (${closedInfo.code} ${closedInfo.reason}) before ${what}; got ${buf.toString('latin1')}`,
        );
      const left = limit - Date.now();
      if (left <= 0) throw new Error(`never received ${what}; got ${JSON.stringify(buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };
  const client: WsClient = {
    ws,
    read: async (n) => {
      await until(`${n} bytes`, () => buf.length >= n);
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    },
    readUntil: async (text) => {
      await until(JSON.stringify(text), () => buf.includes(text));
      const end = buf.indexOf(text) + Buffer.byteLength(text);
      const out = buf.subarray(0, end).toString('utf8');
      buf = buf.subarray(end);
      return out;
    },
    pending: () => buf,
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        let parsed: UpgradeRefused['body'] = {};
        try {
          parsed = JSON.parse(body) as UpgradeRefused['body'];
        } catch {
          // not JSON: the status alone tells
        }
        reject(new UpgradeRefused(res.statusCode ?? 0, parsed));
      });
    });
    ws.once('error', reject);
  });
}

/** Rejects unless connecting is refused with this HTTP status (and error code); returns the body. */
export async function wsRefused(
  connecting: Promise<WsClient>,
  status: number,
  code?: string,
): Promise<UpgradeRefused['body']> {
  try {
    const c = await connecting;
    c.ws.terminate();
  } catch (err) {
    if (!(err instanceof UpgradeRefused)) throw err;
    if (err.status !== status || (code !== undefined && err.body.error?.code !== code))
      throw new Error(`expected HTTP ${status}${code ? ` ${code}` : ''}, got ${err.message}`);
    return err.body;
  }
  throw new Error(`expected HTTP ${status}, but the upgrade succeeded`);
}
