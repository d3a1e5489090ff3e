import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The installed command, as a user runs it. */
export const BIN = join(ROOT, 'bin/phyllo');
const PTY = join(ROOT, 'test/support/pty-session.py');

export interface RunResult {
  code: number;
  /** The process's id (bin/phyllo execs node, so the id the command's lock records). */
  pid: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects (the exit code is in the result). */
export function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, pid: child.pid ?? 0, stdout, stderr }),
    );
  });
}

/** `bin/phyllo ARGS`. */
export const phyllo = (...args: string[]): Promise<RunResult> => run(BIN, args);

export interface PtyResult {
  before: string;
  after: string;
  output: string;
  exit: number;
  failedStep: number | null;
}
export type PtyStep = { expect: string } | { send: string } | { signal: string } | { touch: string };

/** Runs `phyllo ARGS` on a new pseudo-terminal and plays `steps` against it (test/support/pty-session.py). */
export async function onPty(steps: PtyStep[], ...args: string[]): Promise<PtyResult> {
  const r = await run('python3', [PTY, JSON.stringify(steps), BIN, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PtyResult;
}
