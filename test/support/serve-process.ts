/**
 * `bin/phyllo serve` as a child process, as a user runs it: its stdout (the JSON-line log) and stderr
 * (the banner) collected, with the URL, the login link and the token once it is listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from './bin-phyllo.js';
import { waitFor } from './wait.js';
import { keepServerLog, recordSecret } from './secret-log.js';

export interface Served {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `phyllo serve ARGS` with `env` (give it its own XDG_CONFIG_HOME). */
export function serve(env: NodeJS.ProcessEnv, ...args: string[]): Served {
  const child = spawn(BIN, ['serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      keepServerLog('serve', out);
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the banner: the base URL, the login link, and the token from the file it names. */
export async function banner(
  s: Served,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; link: string; token: string }> {
  const link = await waitFor(
    'the login link',
    () => /log in \(it works once\): (\S+)/.exec(s.stderr())?.[1],
    {
      context: s.stderr,
    },
  );
  const url = /at (https?:\/\/\S+:\d+)/.exec(s.stderr())![1]!;
  const token = readFileSync(join(env.XDG_CONFIG_HOME!, 'phyllome', 'api-token'), 'utf8').trim();
  recordSecret(token, new URL(link).searchParams.get('code') ?? '');
  return { url, link, token };
}
