import type { Duplex } from 'node:stream';
import type { StoppedWatch } from '../../machines/watch-stopped.js';
import type { ConsoleSession } from './bridge.js';

/** A console session over a stream and the VM's stop watch; closing ends both, once. */
export function consoleSession(stream: Duplex, watch: StoppedWatch): ConsoleSession {
  // The bridge watches the stream's end; an error before it is attached must not go unhandled.
  stream.on('error', () => undefined);
  let closed = false;
  return {
    stream,
    stopped: watch.stopped,
    close: () => {
      if (closed) return;
      closed = true;
      watch.close();
      stream.destroy();
    },
  };
}
