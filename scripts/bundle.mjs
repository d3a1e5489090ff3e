// Bundles the CLI for start-up speed: one CommonJS script instead of ~100 ES modules that Node would
// otherwise resolve, stat, read, compile and link one by one (~30 ms of a `vm create`), and a script that
// src/cli/start.cts can compile with V8's code cache. The bundle sits beside tsc's output in dist/src/cli
// so that paths relative to a module (data/, dist/build-id, node_modules) stay the same: every
// `import.meta.url` in it is the bundle's own URL. fast-xml-parser stays outside: it is loaded on first
// use through createRequire.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/src/cli/phyllo.cjs';
// Earlier builds' files (an ES-module bundle with hashed chunks, before this one).
for (const f of existsSync('dist/src/cli') ? readdirSync('dist/src/cli') : [])
  if (/^phyllo.*\.mjs$/.test(f)) rmSync(`dist/src/cli/${f}`);

const result = await build({
  entryPoints: ['src/cli/main.ts'],
  write: false,
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Whitespace and syntax only: names stay, so stack traces still name functions and classes.
  minifyWhitespace: true,
  minifySyntax: true,
  define: { 'import.meta.url': '__phylloBundleUrl' },
  banner: { js: 'var __phylloBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});
// start.cts wraps the script in a function: a hashbang line would be a syntax error there.
const text = result.outputFiles[0].text.replace(/^#!.*\n/, '');
writeFileSync(OUT, text);

// A new identity for every build: caches of parsed documents (src/model/parse-cache.ts) and of compiled
// code (src/cli/start.cts) are only trusted when written by the same build.
writeFileSync('dist/build-id', `${randomUUID()}\n`);
