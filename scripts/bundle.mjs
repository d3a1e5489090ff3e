// Bundles the CLI for start-up speed: one CommonJS script instead of ~100 ES modules that Node would
// otherwise resolve, stat, read, compile and link one by one (~30 ms of a `vm create`), and a script that
// src/cli/start.ts can compile with V8's code cache. start.ts is bundled too (dist/src/cli/start.cjs,
// what bin/phyllo runs). Both sit beside tsc's output in dist/src/cli so that paths relative to a module
// (data/, dist/build-id, node_modules) stay the same: every `import.meta.url` in a bundle is the bundle's
// own URL. fast-xml-parser stays outside: it is loaded on first use through createRequire.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

// The options that take a value, for the starter's cache key (src/cli/start.ts): from tsc's output of the
// command table, which `npm run build` has just written.
const { valueOptionNames } = await import('../dist/src/cli/parse.js');
const { commands } = await import('../dist/src/cli/commands.js');
const { bundleFile, commandBundleFiles, commandModule } = await import('../dist/src/cli/command-bundle.js');

// TypeBox (the server's schemas) is ~700 small ES modules, which cost `phyllo serve` ~14 MiB of memory
// loaded one by one. It is bundled apart, to dist/src/cli/typebox.cjs, which the CLI bundle requires in
// place of the package: inside phyllo.cjs its code would run at every command's start (esbuild hoists
// it), where now it is only loaded with the server, as the package was.
/** A package bundle: one CommonJS script for Node 20, whitespace and syntax minified. */
const PACKAGE_BUNDLE = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
const TYPEBOX_BUNDLE = 'dist/src/cli/typebox.cjs';
await build({
  stdin: { contents: "export { Type } from 'typebox';", resolveDir: '.', loader: 'js' },
  outfile: TYPEBOX_BUNDLE,
  ...PACKAGE_BUNDLE,
});
const typeboxApart = {
  name: 'typebox-apart',
  setup(b) {
    b.onResolve({ filter: /^typebox$/ }, () => ({ path: './typebox.cjs', external: true }));
  },
};

// The server's packages (Fastify and its plugins, ws, pino…) are ~250 files at start, each a module
// Node resolves, wraps and keeps in memory with its source: `phyllo serve` is weighed against the
// cockpit stack's memory (issue 9). They are bundled into dist/src/cli/server-deps.cjs, minified, each
// package run only when first asked for (`load(name)`), as `require` would. A bundle keeps the source of
// all it holds, run or not, so what the server loads later or never stays outside, loaded from
// node_modules when asked for: Ajv and its validator compiler (the first validated request: in its own
// bundle, ajv-compiler.cjs, where npm's two copies of Ajv 8 become one), Fastify's response serializer
// compiler (replaced, src/server/schema-compilers.ts), light-my-request (tests' `inject`) and
// @fastify/swagger (the first GET /api/openapi.json).
const SERVER_DEPS = [
  'fastify',
  '@fastify/cookie',
  '@fastify/rate-limit',
  '@fastify/websocket',
  '@fastify/static',
];
const LOAD_LATER = new Set([
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  '@fastify/merge-json-schemas',
  'ajv',
  'ajv-formats',
  'fast-uri',
  'json-schema-ref-resolver',
  'light-my-request',
]);
const CLI_DIR = 'dist/src/cli';

function packageOf(file) {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const rest = file.slice(at + '/node_modules/'.length).split('/');
  const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  return { root: file.slice(0, at + '/node_modules/'.length) + name, name };
}

/**
 * Every bare import resolved as Node would; then a package of LOAD_LATER stays a `require` of its
 * file, relative to the bundle (`later`), and a package of a name and version met before is taken
 * from that first copy (`oneCopy`).
 */
function packagesPlugin({ later = false, oneCopy = false }) {
  return {
    name: 'packages',
    setup(b) {
      const first = new Map(); // name@version -> package root
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.again) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: { again: true },
        });
        if (r.errors.length) return { errors: r.errors };
        const pkg = !r.external && r.path ? packageOf(r.path) : undefined;
        if (!pkg) return r.external ? { path: args.path, external: true } : { path: r.path };
        if (later && LOAD_LATER.has(pkg.name))
          return { path: `./${relative(CLI_DIR, r.path)}`, external: true };
        if (!oneCopy) return { path: r.path };
        const { version } = JSON.parse(readFileSync(join(pkg.root, 'package.json'), 'utf8'));
        const key = `${pkg.name}@${version}`;
        if (!first.has(key)) first.set(key, pkg.root);
        return { path: first.get(key) + r.path.slice(pkg.root.length) };
      });
    },
  };
}

async function bundlePackages(names, out, plugin) {
  const loaders = names.map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(n)}),`);
  await build({
    stdin: {
      contents: `const loaders = {\n${loaders.join('\n')}\n};\nexports.load = (name) => loaders[name]();\n`,
      resolveDir: '.',
      loader: 'js',
    },
    outfile: out,
    ...PACKAGE_BUNDLE,
    // ws's optional native helpers: required in a try, absent here as in most installs.
    external: ['bufferutil', 'utf-8-validate'],
    plugins: [plugin],
  });
}
await bundlePackages(SERVER_DEPS, join(CLI_DIR, 'server-deps.cjs'), packagesPlugin({ later: true }));
await bundlePackages(
  ['@fastify/ajv-compiler'],
  join(CLI_DIR, 'ajv-compiler.cjs'),
  packagesPlugin({ oneCopy: true }),
);

/** In the CLI bundle, the server's packages come from server-deps.cjs (loaded when first imported). */
const serverDepsApart = {
  name: 'server-deps-apart',
  setup(b) {
    const names = new RegExp(`^(${SERVER_DEPS.map((n) => n.replace(/[/]/g, '\\/')).join('|')})$`);
    b.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'server-dep' }));
    b.onResolve({ filter: /^\.\/(server-deps|ajv-compiler)\.cjs$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
    b.onLoad({ filter: /.*/, namespace: 'server-dep' }, (args) => ({
      contents: `module.exports = require('./server-deps.cjs').load(${JSON.stringify(args.path)});`,
      loader: 'js',
      resolveDir: '.',
    }));
    // src/server/server-require.ts: @fastify/ajv-compiler from its bundle, the rest from node_modules.
    b.onLoad({ filter: /src\/server\/server-require\.ts$/ }, () => ({
      contents: `export const serverRequire = (name) => name === '@fastify/ajv-compiler'
        ? require('./ajv-compiler.cjs').load(name) : require('node:module').createRequire(__filename)(name);`,
      loader: 'js',
    }));
  },
};

/**
 * A command's own bundle: the whole CLI (its table, parser, help) with only that command's module of
 * src/cli/commands/ in it. commands.ts's dynamic imports of the others become a module that throws,
 * never reached: start.ts picks the bundle by the same words the parser resolves the command by.
 */
function onlyCommand(module) {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[a-z0-9-]+\.js$/ }, (args) =>
        args.kind === 'dynamic-import' &&
        args.importer.endsWith('/src/cli/commands.ts') &&
        args.path !== `./commands/${module}.js`
          ? { path: args.path, namespace: 'other-command' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'other-command' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in the bundle of ${module} (scripts/bundle.mjs)`)});`,
        loader: 'js',
      }));
    },
  };
}

async function bundle(entry, out, define = {}, plugins = []) {
  const result = await build({
    entryPoints: [entry],
    write: false,
    outfile: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [typeboxApart, serverDepsApart, ...plugins],
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

const commandBundles = commandBundleFiles(commands);
await Promise.all([
  bundle('src/cli/main.ts', 'dist/src/cli/phyllo.cjs'),
  ...[...new Set(commands.map(commandModule))].map((module) =>
    bundle('src/cli/main.ts', `dist/src/cli/${bundleFile(module)}`, {}, [onlyCommand(module)]),
  ),
  bundle('src/cli/start.ts', 'dist/src/cli/start.cjs', {
    __PHYLLO_VALUE_OPTIONS__: JSON.stringify(valueOptionNames(commands)),
    __PHYLLO_COMMAND_BUNDLES__: JSON.stringify(commandBundles),
  }),
]);

// A new identity for every build: caches of parsed documents (src/model/parse-cache.ts) and of compiled
// code (src/cli/start.ts) are only trusted when written by the same build.
writeFileSync('dist/build-id', `${randomUUID()}\n`);
