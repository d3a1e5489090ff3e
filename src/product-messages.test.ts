import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Commands that only exist in a checkout of the repository, not in the installed package. */
const REPOSITORY_ONLY = /\bscripts\/[\w.-]+|\bnpm (?:start|test|run)\b/g;

/** The code of a TypeScript file without its comments (a comment may name the repository's scripts). */
export function withoutComments(source: string): string {
  return source.replace(/\/\*[^]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? productFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('product messages', () => {
  it('name commands an installed phyllo has, never the repository scripts', () => {
    const found = productFiles(SRC).flatMap((f) =>
      [...withoutComments(readFileSync(f, 'utf8')).matchAll(REPOSITORY_ONLY)].map(
        (m) => `${relative(SRC, f)}: ${m[0]}`,
      ),
    );
    assert.deepEqual(found, []);
  });

  it('finds a repository script in a string but not in a comment', () => {
    const code =
      "// built by scripts/bundle.mjs\n/** see `npm start` */\nconst hint = 'Run `sudo npm start`';\n";
    assert.deepEqual(
      [...withoutComments(code).matchAll(REPOSITORY_ONLY)].map((m) => m[0]),
      ['npm start'],
    );
    assert.deepEqual(
      [...withoutComments("const u = 'http://x/scripts/a.sh';").matchAll(REPOSITORY_ONLY)].map((m) => m[0]),
      ['scripts/a.sh'],
    );
  });
});
