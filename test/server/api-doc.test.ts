/**
 * docs/api.md's table of error codes is the truth: each row's status is what the API answers for that
 * code (src/server/http-errors.ts), and every code Phyllome raises that an API request can meet is in
 * it (the CLI's own codes, such as the editor's, are not).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { httpStatusOf } from '../../src/server/http-errors.js';

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
);
/** Codes only the command line raises: an API request never meets them. */
const CLI_ONLY = new Set(['editor-failed', 'host-root-invalid', 'tls-required']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return p.endsWith('/cli') ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('docs/api.md lists every error code an API request can meet, each with the status the API answers', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z][a-z0-9-]+)` \| (\d{3}) \|/gm)].map(
    (m) => [m[1]!, Number(m[2])] as const,
  );
  assert.ok(rows.length > 40, `read ${rows.length} rows`);
  for (const [code, status] of rows)
    assert.equal(httpStatusOf(code, code !== 'internal'), status, `docs/api.md: ${code}`);
  const raised = new Set<string>();
  for (const f of sources(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:super|new VmChangeError)\(\s*'([a-z][a-z0-9-]+)'/g)) raised.add(m[1]!);
  }
  assert.ok(raised.has('vm-not-found') && raised.has('path-not-allowed'), [...raised].join(' '));
  const documented = new Set(rows.map(([c]) => c));
  assert.deepEqual([...raised].filter((c) => !documented.has(c) && !CLI_ONLY.has(c)).sort(), []);
});
