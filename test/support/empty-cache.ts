/**
 * A fresh, empty Phyllome cache for one test file: `XDG_CACHE_HOME` (which `phyllomeCacheDir()`
 * reads at each call) points at a new temporary directory, removed after the file's tests. The
 * product then finds no cached KVM verdict and runs the boot test itself, so no test passes (or is
 * fast) only because an earlier run filled the user's cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { phyllomeCacheDir } from '../../src/host/cache-dir.js';

export interface EmptyCache {
  /** The value given to XDG_CACHE_HOME. */
  xdg: string;
  /** Phyllome's cache directory below it (not created). */
  dir: string;
}

/** A new empty XDG cache home; with `setEnv` (the default) this process's product code uses it too. */
export function emptyCache(opts: { setEnv?: boolean } = {}): EmptyCache {
  const xdg = mkdtempSync(join(tmpdir(), 'phyllo-cache-'));
  if (opts.setEnv ?? true) process.env.XDG_CACHE_HOME = xdg;
  after(() => rmSync(xdg, { recursive: true, force: true }));
  return { xdg, dir: phyllomeCacheDir({ XDG_CACHE_HOME: xdg }) };
}
