/**
 * Runs after every other test file (scripts/run-tests.mjs's second phase): no server log the suite
 * wrote — the in-process API servers' and `phyllo serve`'s JSON lines — holds a token, a one-time login
 * code or a session id that any server of the suite handed out.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const dir = process.env.PHYLLO_TEST_LOG_DIR;

test(
  'no log line of the whole suite holds a secret',
  { skip: dir ? false : 'run by scripts/run-tests.mjs only' },
  () => {
    const files = readdirSync(dir!);
    const secrets = new Set(
      files
        .filter((f) => f.startsWith('secrets-'))
        .flatMap((f) => readFileSync(join(dir!, f), 'utf8').split('\n'))
        .filter((s) => s.length >= 16),
    );
    const logs = files.filter((f) => f.endsWith('.log'));
    // Only meaningful after the server tests ran: a run of other files alone has nothing to check.
    if (!logs.length) return;
    assert.ok(secrets.size > 0, 'servers ran, so secrets were handed out');
    let lines = 0;
    for (const f of logs) {
      const text = readFileSync(join(dir!, f), 'utf8');
      lines += text.split('\n').length;
      for (const s of secrets) assert.ok(!text.includes(s), `${f} holds a secret (${s.slice(0, 4)}…)`);
    }
    assert.ok(lines > logs.length, 'the logs hold lines');
  },
);
