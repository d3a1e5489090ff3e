import { readFileSync } from 'node:fs';

/**
 * The build id in dist/build-id (scripts/bundle.mjs writes a new one with the bundles on every build),
 * seen from a module two levels below dist/: tsc's dist/src/<dir>/x.js and the bundles in dist/src/cli
 * alike. undefined when there is none.
 */
export function readBuildId(moduleUrl: string): string | undefined {
  try {
    return readFileSync(new URL('../../build-id', moduleUrl), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
