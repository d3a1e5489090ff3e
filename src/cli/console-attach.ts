import type { Duplex } from 'node:stream';

/** Ctrl-] : leaves the console (as in virsh console and telnet). */
export const ESCAPE_BYTE = 0x1d;

export type ConsoleEnd = 'escape' | 'stopped' | 'lost' | 'signal' | 'input-closed';

export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
}

/**
 * Joins the terminal to a console stream until Ctrl-], the stream ends (the VM stopped), the
 * connection is lost, SIGINT/SIGTERM/SIGHUP arrive, or stdin closes. A terminal is put in raw mode (so
 * Ctrl-C and every key go to the guest) and restored on every one of those paths, on a thrown error
 * and at process exit. `stopped` ends the session when the VM stops (libvirt's lifecycle event).
 */
export async function attachConsole(
  console: Duplex,
  io: TerminalIo,
  stopped?: Promise<unknown>,
  /** Called once the signal handlers are in place: a banner printed before could meet a signal unhandled. */
  ready?: () => void,
): Promise<ConsoleEnd> {
  const { stdin, stdout } = io;
  const raw = stdin.isTTY === true;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    if (raw) stdin.setRawMode(false);
  };
  process.on('exit', restore);
  let finish!: (end: ConsoleEnd) => void;
  const ended = new Promise<ConsoleEnd>((resolve) => (finish = resolve));
  const onSignal = () => finish('signal');
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onInput = (chunk: Buffer) => {
    const at = chunk.indexOf(ESCAPE_BYTE);
    if (at >= 0) {
      if (at > 0) console.write(chunk.subarray(0, at));
      finish('escape');
      return;
    }
    console.write(chunk);
  };
  const onOutput = (chunk: Buffer) => stdout.write(chunk);
  const onEnd = () => finish('stopped');
  const onError = (err: Error) => finish(err.name === 'ConnectionClosedError' ? 'lost' : 'stopped');
  const onInputEnd = () => finish('input-closed');
  try {
    if (raw) stdin.setRawMode(true);
    for (const s of signals) process.on(s, onSignal);
    ready?.();
    console.on('data', onOutput);
    console.on('end', onEnd);
    console.on('close', onEnd);
    console.on('error', onError);
    stdin.on('data', onInput);
    stdin.on('end', onInputEnd);
    stdin.resume();
    void stopped?.then(onEnd, () => finish('lost'));
    return await ended;
  } finally {
    restore();
    process.off('exit', restore);
    for (const s of signals) process.off(s, onSignal);
    stdin.off('data', onInput);
    stdin.off('end', onInputEnd);
    stdin.pause();
    console.off('data', onOutput);
    console.off('end', onEnd);
    console.off('close', onEnd);
    console.off('error', onError);
    console.on('error', () => undefined);
    console.destroy();
  }
}
