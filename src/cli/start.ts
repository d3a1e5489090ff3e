// Starts the bundled CLI (phyllo.cjs, made by scripts/bundle.mjs) with V8's code cache. It is itself
// bundled, to dist/src/cli/start.cjs, which bin/phyllo runs.
//
// A fresh Node process compiles every function it runs; for `phyllo vm create` that is a good part of
// its own time. V8 can serialize what it compiled and take it back next time (`cachedData`), which
// Node 20 does not do for user code by itself. The cache is kept per command and set of option names
// (they decide which code runs) and per build, in the user's cache dir. V8 checks only the source's
// length before using a cache, so the file name carries the build id (dist/build-id, written with the
// bundle): a rebuilt bundle never gets another's code. Any problem with the cache only costs the compile.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { readBuildId } from '../build-id.js';
import { phyllomeCacheDir } from '../host/cache-dir.js';
import { argvWords } from './argv-words.js';
import { commandBundle } from './command-bundle.js';

/**
 * The options that take a value (`--connect`, `-c`, `--os`, …), put in by scripts/bundle.mjs from the
 * command table, so that `phyllo --connect URI status` is keyed `status.connect` like
 * `phyllo status --connect URI` (this file must not load the table itself: it is compiled without cache).
 */
declare const __PHYLLO_VALUE_OPTIONS__: string[] | undefined;
const valueOptions = new Set(typeof __PHYLLO_VALUE_OPTIONS__ === 'undefined' ? [] : __PHYLLO_VALUE_OPTIONS__);

/**
 * Each command's own bundle (`vm list` → `phyllo-vm-list.cjs`), put in by scripts/bundle.mjs: the whole
 * CLI with only that command's module in it (800 KB of source and 300 KB of compiled code for any
 * command otherwise; reading and taking them back cost ~8 ms of a 50 ms `vm list`). Help, a group, a
 * typo or a missing file run the whole CLI, phyllo.cjs.
 */
declare const __PHYLLO_COMMAND_BUNDLES__: Record<string, string> | undefined;
const commandBundles = typeof __PHYLLO_COMMAND_BUNDLES__ === 'undefined' ? {} : __PHYLLO_COMMAND_BUNDLES__;

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const own = commandBundle(argv, valueOptions, commandBundles);
const bundle = join(here, own && existsSync(join(here, own)) ? own : 'phyllo.cjs');
const source = readFileSync(bundle, 'utf8');

/**
 * `vm-create.disk-size.memory.os`: the command words and the names of the options given — what decides
 * which code a run compiles (`vm create --print-xml` never reaches the code that defines). Values are left
 * out: they rarely change the path and would make a cache per VM name.
 */
function commandKey(argv: string[]): string {
  const words = argvWords(argv, valueOptions)
    .slice(0, 2)
    .map((w) => w.word);
  const end = argv.indexOf('--');
  const flags = [
    ...new Set(
      (end < 0 ? argv : argv.slice(0, end))
        .filter((a) => a.startsWith('-'))
        .map((a) => a.replace(/^-+/, '').split('=')[0]),
    ),
  ];
  const key = [words.join('-'), ...flags.sort()].join('.').replace(/[^a-z0-9.-]/g, '');
  return key.length > 0 && key.length <= 100 ? key : 'other';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_FILES = 48;

/**
 * Keeps the cache dir small: files of other builds go once a day has passed since they were last
 * written (two checkouts used side by side keep theirs), and only the newest MAX_FILES stay in all.
 */
function prune(dir: string): void {
  const now = Date.now();
  const files = readdirSync(dir)
    .map((name) => ({ name, mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  files.forEach((f, i) => {
    if (i >= MAX_FILES || (!f.name.startsWith(`${buildId}.`) && now - f.mtime > DAY_MS))
      rmSync(join(dir, f.name), { force: true });
  });
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

const buildId = readBuildId(import.meta.url);
const dir = join(phyllomeCacheDir(), 'code-cache');
const cacheFile = buildId ? join(dir, `${buildId}.${commandKey(argv)}.bin`) : undefined;
const cached = cacheFile ? readOrUndefined(cacheFile) : undefined;

const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const script = new Script(wrapper, { filename: bundle, ...(cached ? { cachedData: cached } : {}) });

// PHYLLO_DEBUG_CACHE=1: one line on stderr says what became of the cache (the tests read it).
const debug = process.env.PHYLLO_DEBUG_CACHE === '1';
const DEBUG_TAG = 'phyllo code cache:';
const BUNDLE_TAG = 'phyllo bundle:'; // and which bundle ran
if (debug) {
  process.stderr.write(`${BUNDLE_TAG} ${basename(bundle)}\n`);
  process.stderr.write(
    `${DEBUG_TAG} ${!cacheFile ? 'off (no build id)' : !cached ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'} ${cacheFile ?? ''}\n`,
  );
}

if (cacheFile && (!cached || script.cachedDataRejected)) {
  // Written at exit, so that it holds every function this command compiled while it ran.
  process.once('exit', () => {
    try {
      mkdirSync(dir, { recursive: true });
      prune(dir);
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
      if (debug) process.stderr.write(`${DEBUG_TAG} written ${cacheFile}\n`);
    } catch {
      // an unwritable cache dir only costs the compile next time
    }
  });
}

const bundleModule = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(
  bundleModule.exports,
  createRequire(bundle),
  bundleModule,
  bundle,
  here,
);
