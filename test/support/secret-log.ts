/**
 * What the suite's servers logged, and the secrets they handed out, kept for the after-suite check
 * (test/after-suite/no-secret-in-logs.test.ts) in PHYLLO_TEST_LOG_DIR, which scripts/run-tests.mjs
 * makes for each run. Without it (a test file run alone) nothing is kept.
 */
import { appendFileSync, createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.PHYLLO_TEST_LOG_DIR;
let seq = 0;

/** Records secrets (tokens, login codes, session ids) the logs must never contain. */
export function recordSecret(...secrets: string[]): void {
  if (!dir) return;
  appendFileSync(join(dir, `secrets-${process.pid}.txt`), secrets.map((s) => s + '\n').join(''));
}

/** A file stream for one server's JSON-line log, or undefined when no log directory is set. */
export function serverLogStream(kind: string): WriteStream | undefined {
  return dir ? createWriteStream(join(dir, `${kind}-${process.pid}-${++seq}.log`)) : undefined;
}

/** Keeps a finished server's whole log (a child process's stdout). */
export function keepServerLog(kind: string, text: string): void {
  if (dir) writeFileSync(join(dir, `${kind}-${process.pid}-${++seq}.log`), text);
}
