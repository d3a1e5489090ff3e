// `bin/phyllo serve` as a child of a benchmark, as a user runs it: loopback, a free port, its own
// config directory (so its token is the bench's, removed after), the JSON-line log kept in memory.
// The child is Node itself (bin/phyllo execs it), so its pid is the server's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts the server on `uri`; resolves once its banner names the URL. */
export async function startPhylloServe(uri) {
  const config = mkdtempSync(join(tmpdir(), 'phyllo-bench-serve-'));
  const env = { ...process.env, XDG_CONFIG_HOME: config };
  const child = spawn('bin/phyllo', ['serve', '--listen', '127.0.0.1:0', '--connect', uri], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const cleanup = () => rmSync(config, { recursive: true, force: true });
  try {
    const url = await Promise.race([
      new Promise((resolve) => {
        const look = () => {
          const m = /at (http:\/\/\S+:\d+)/.exec(err);
          if (m) resolve(m[1]);
          else setTimeout(look, 20);
        };
        look();
      }),
      exited.then((how) => {
        throw new Error(`phyllo serve exited (${how}) before listening: ${err}`);
      }),
    ]);
    const token = readFileSync(join(config, 'phyllome', 'api-token'), 'utf8').trim();
    return {
      pid: child.pid,
      url,
      token,
      /** The log's JSON lines so far, parsed. */
      log: () =>
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            try {
              return JSON.parse(l);
            } catch {
              return { msg: l };
            }
          }),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(t);
        }
        cleanup();
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw e;
  }
}
