import { PhyllomeError } from '../errors.js';
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

/** BigInt values (libvirt's hyper) print as numbers when safe, else as strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  return value;
}

interface ErrorShape {
  code: string;
  message: string;
  hint?: string;
}

export function errorShape(err: unknown): { shape: ErrorShape; unexpected: boolean } {
  if (err instanceof PhyllomeError) return { shape: err.toJSON(), unexpected: false };
  if (err && typeof err === 'object' && 'code' in err && 'message' in err && typeof err.code === 'string') {
    const e = err as ErrorShape;
    return {
      shape: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
      unexpected: false,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    shape: {
      code: 'internal',
      message,
      hint: 'This is a bug in Phyllome: please report it with the command you ran.',
    },
    unexpected: true,
  };
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
