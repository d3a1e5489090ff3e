import { errorShape } from '../errors.js';
import { jsonReplacer } from '../json.js';
import type { CommandResult } from './command.js';

/** Where the CLI writes: stdout for the result (or the JSON error), stderr for a person's error. */
export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * The process's own streams, each made on first use: Node creates `process.stderr` (a TTY or pipe
 * handle) only when it is first read, which costs ~2 ms that `phyllo --help` need not pay.
 */
export const processStreams: Streams & { readonly isTTY: boolean } = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get isTTY() {
    return Boolean(process.stderr.isTTY);
  },
};

export function printResult(result: CommandResult, json: boolean, io: Streams = processStreams): void {
  if (json) io.stdout.write(JSON.stringify(result.data, jsonReplacer, 2) + '\n');
  else {
    const text = result.human();
    if (text !== '') io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}

/** Prints an error (JSON on stdout with --json, else a message and hint on stderr); returns the exit code. */
export function printError(err: unknown, json: boolean, io: Streams = processStreams): number {
  const { shape, unexpected } = errorShape(err);
  if (json) io.stdout.write(JSON.stringify({ error: shape }) + '\n');
  else {
    io.stderr.write(`error: ${shape.message}\n`);
    if (shape.hint) io.stderr.write(`hint: ${shape.hint}\n`);
    if (unexpected && err instanceof Error && err.stack && process.env.PHYLLO_DEBUG)
      io.stderr.write(err.stack + '\n');
  }
  return unexpected ? 70 : 1;
}
