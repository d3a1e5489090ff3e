// Bundles the CLI for start-up speed: one CommonJS script instead of ~100 ES modules that Node would
// otherwise resolve, stat, read, compile and link one by one (~30 ms of a `vm create`), and a script that
// src/cli/start.ts can compile with V8's code cache. start.ts is bundled too (dist/src/cli/start.cjs,
// what bin/phyllo runs). Both sit beside tsc's output in dist/src/cli so that paths relative to a module
// (data/, dist/build-id, node_modules) stay the same: every `import.meta.url` in a bundle is the bundle's
// own URL. fast-xml-parser stays outside: it is loaded on first use through createRequire.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// The options that take a value, for the starter's cache key (src/cli/start.ts): from tsc's output of the
// command table, which `npm run build` has just written.
const { valueOptionNames } = await import('../dist/src/cli/parse.js');
const { commands } = await import('../dist/src/cli/commands.js');

// TypeBox (the server's schemas) is ~700 small ES modules, which cost `phyllo serve` ~14 MiB of memory
// loaded one by one. It is bundled apart, to dist/src/cli/typebox.cjs, which the CLI bundle requires in
// place of the package: inside phyllo.cjs its code would run at every command's start (esbuild hoists
// it), where now it is only loaded with the server, as the package was.
const TYPEBOX_BUNDLE = 'dist/src/cli/typebox.cjs';
await build({
  stdin: { contents: "export { Type } from 'typebox';", resolveDir: '.', loader: 'js' },
  outfile: TYPEBOX_BUNDLE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
const typeboxApart = {
  name: 'typebox-apart',
  setup(b) {
    b.onResolve({ filter: /^typebox$/ }, () => ({ path: './typebox.cjs', external: true }));
  },
};

async function bundle(entry, out, define = {}) {
  const result = await build({
    entryPoints: [entry],
    write: false,
    outfile: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [typeboxApart],
    // Whitespace and syntax only: names stay, so stack traces still name functions and classes.
    minifyWhitespace: true,
    minifySyntax: true,
    define: { 'import.meta.url': '__phylloBundleUrl', ...define },
    banner: { js: 'var __phylloBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: 'warning',
  });
  // start.ts wraps phyllo.cjs in a function: a hashbang line would be a syntax error there.
  writeFileSync(out, result.outputFiles[0].text.replace(/^#!.*\n/, ''));
}

await bundle('src/cli/main.ts', 'dist/src/cli/phyllo.cjs');
await bundle('src/cli/start.ts', 'dist/src/cli/start.cjs', {
  __PHYLLO_VALUE_OPTIONS__: JSON.stringify(valueOptionNames(commands)),
});

// A new identity for every build: caches of parsed documents (src/model/parse-cache.ts) and of compiled
// code (src/cli/start.ts) are only trusted when written by the same build.
writeFileSync('dist/build-id', `${randomUUID()}\n`);
