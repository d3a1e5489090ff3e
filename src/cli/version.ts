import { readFileSync } from 'node:fs';

/**
 * Phyllome's version, from the package.json three levels above a module in dist/src/cli (tsc's output
 * and the bundle alike); `unknown` when it cannot be read.
 */
export function readVersion(moduleUrl: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', moduleUrl), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
