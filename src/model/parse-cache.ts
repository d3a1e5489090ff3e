import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildId } from '../build-id.js';
import { phyllomeCacheDir } from '../host/cache-dir.js';

/**
 * The identity of the build that is running, or undefined (then nothing is cached). Only the bundle
 * (dist/src/cli/phyllo.cjs) has one: scripts/bundle.mjs writes the bundle and dist/build-id together, so
 * the id always names the code that parsed. tsc's output (what the tests import, `node
 * dist/src/cli/main.js`) can be rebuilt without a new id, and a parser that changed would be handed its
 * old output, so it never caches.
 */
function bundleBuildId(): string | undefined {
  return /\/phyllo(-[a-z0-9-]+)?\.cjs$/.test(import.meta.url) ? readBuildId(import.meta.url) : undefined;
}

let buildId: string | undefined | null = null;

export interface ParseCacheOptions {
  /** Default: the user's Phyllome cache dir. */
  cacheDir?: string;
  /** Default: this build's id; undefined disables the cache. */
  buildId?: string | undefined;
}

interface Entry {
  build: string;
  document: string;
  value: unknown;
}

/**
 * `parse(document)`, remembered across processes. libvirt's capability documents change only when
 * libvirt, QEMU or the host change, yet parsing them is the largest share of a fresh `phyllo vm create`
 * (~15 ms: a cold XML parser). The entry holds the whole document, so a hit means the very same text was
 * parsed by this very build: the cached value is exactly what `parse` would return. Any problem reading
 * or writing the cache falls back to parsing.
 */
export function cachedParse<T>(
  kind: string,
  document: string,
  parse: (doc: string) => T,
  options: ParseCacheOptions = {},
): T {
  if (buildId === null) buildId = bundleBuildId();
  const build = 'buildId' in options ? options.buildId : buildId;
  if (!build) return parse(document);
  const dir = options.cacheDir ?? phyllomeCacheDir();
  const path = join(dir, `parsed-${kind}.json`);
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Entry;
    if (entry.build === build && entry.document === document) return entry.value as T;
  } catch {
    // missing or unreadable: parse below
  }
  const value = parse(document);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ build, document, value } satisfies Entry));
    renameSync(tmp, path);
  } catch {
    // a read-only home only costs the parse next time
  }
  return value;
}
