import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocket } from 'ws';

/** A console's far end, opened before the upgrade: its bytes and the VM's "stopped" event. */
export interface ConsoleSession {
  stream: Duplex;
  /** Resolves when libvirt reports the VM stopped. */
  stopped: Promise<void>;
  /** Closes the stream and the event watch (idempotent). */
  close(): void;
}

/**
 * How a console session ended, sent as the WebSocket close reason with code 1000: `vm-stopped`
 * (libvirt reported the VM stopped), `console-closed` (the far end ended without the VM stopping:
 * another session took the serial console over with force, the display server or the daemon closed
 * it). `client-closed` is the client's own close, logged only.
 */
export type SessionEnd = 'vm-stopped' | 'console-closed' | 'client-closed';

/** The close code for the ends the server sends. */
export const NORMAL_CLOSURE = 1000;

export interface SessionOutcome {
  end: SessionEnd;
  /** The far end's error, if it failed (for the log: libvirt's or the socket's message). */
  failure?: string;
}

/** Stop reading the console while this much is queued for a slow client; resume below LOW. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/**
 * When the stream ends first, how long libvirt's "stopped" event may take to say why: QEMU closes
 * its sockets as it exits, a moment before libvirt has reaped it.
 */
export const STOPPED_GRACE_MS = 5000;

/**
 * Carries bytes both ways between a WebSocket and a console stream: binary frames out (one per
 * chunk read), binary or text frames in (text as its UTF-8 bytes: xterm.js sends strings), with
 * backpressure each way. Ends once, closing both sides, when the VM stops, the stream ends or fails,
 * or the client goes; resolves with how.
 */
export function bridge(
  ws: WebSocket,
  s: ConsoleSession,
  graceMs = STOPPED_GRACE_MS,
): Promise<SessionOutcome> {
  const { stream } = s;
  let ended = false;
  let failure: string | undefined;
  let resolveEnd!: (outcome: SessionOutcome) => void;
  const result = new Promise<SessionOutcome>((res) => (resolveEnd = res));
  const finish = (end: SessionEnd) => {
    if (ended) return;
    ended = true;
    stream.off('data', onData);
    s.close();
    if (end !== 'client-closed' && ws.readyState === ws.OPEN) ws.close(NORMAL_CLOSURE, end);
    resolveEnd(failure === undefined ? { end } : { end, failure });
  };
  // The stream ended by itself: the VM stopping is the likely cause, as libvirt says a moment later.
  const streamEnded = (fallback: SessionEnd) => {
    if (ended) return;
    void Promise.race([
      s.stopped.then(() => 'vm-stopped' as const),
      sleep(graceMs, undefined, { ref: false }).then(() => fallback),
    ]).then(finish, () => finish(fallback));
  };

  let paused = false;
  const onData = (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true }, () => {
      if (paused && ws.bufferedAmount < LOW_WATER) {
        paused = false;
        stream.resume();
      }
    });
    if (ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      stream.pause();
    }
  };
  stream.on('data', onData);
  stream.once('end', () => streamEnded('console-closed'));
  stream.once('close', () => streamEnded('console-closed'));
  // libvirt ends a console taken over by another session with an error ("stream had I/O failure"):
  // for the client that is the console closing, as any other error of the far end.
  stream.on('error', (err: Error) => {
    failure ??= err.message;
    streamEnded('console-closed');
  });
  stream.resume();

  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (ended) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    // A text frame's payload is its UTF-8 bytes already: both kinds go to the stream as they are.
    if (!stream.write(buf)) {
      ws.pause();
      stream.once('drain', () => ws.resume());
    }
  });
  ws.once('close', () => finish('client-closed'));
  ws.on('error', () => finish('client-closed'));
  s.stopped.then(
    () => finish('vm-stopped'),
    () => undefined,
  );
  return result;
}
