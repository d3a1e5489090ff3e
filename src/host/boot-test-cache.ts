import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BootTestResult } from './system.js';

const CACHE_VERSION = 1;

/** One remembered boot test. */
export interface BootTestCacheEntry {
  testedAt: string;
  test: BootTestResult;
}

/** A boot-test cache file: results by key, plus small facts remembered to build the key cheaply. */
export interface BootTestCache {
  version: number;
  entries: Record<string, BootTestCacheEntry>;
  /** `qemu-system-x86_64 --version` per binary identity (path:dev:ino). */
  qemuVersions?: Record<string, string>;
  /** The guest image's SHA-256 per file identity (path:dev:ino:size:mtime of kernel and initrd). */
  guestHashes?: Record<string, string>;
}

/** Reads a cache file; a missing or garbled one is an empty cache. */
export function readBootTestCache(path: string): BootTestCache {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as BootTestCache;
    if (parsed.version === CACHE_VERSION && parsed.entries && typeof parsed.entries === 'object')
      return parsed;
  } catch {
    // missing or garbled: start afresh
  }
  return { version: CACHE_VERSION, entries: {} };
}

/** Writes a cache file atomically (temporary file + rename); an unwritable cache is ignored. */
export function writeBootTestCache(path: string, cache: BootTestCache): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache, null, 2) + '\n');
    renameSync(tmp, path);
  } catch {
    // an unwritable cache only means the test runs again next time
  }
}

/** An empty cache (a probe of another root must not read the user's). */
export function emptyBootTestCache(): BootTestCache {
  return { version: CACHE_VERSION, entries: {} };
}
