import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's Phyllome configuration directory: $XDG_CONFIG_HOME/phyllome, else ~/.config/phyllome. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'phyllome');
}

/** Where `phyllo serve` keeps its API token. */
export function tokenPath(dir: string = configDir()): string {
  return join(dir, 'api-token');
}

/** A new random secret: 32 bytes, base64url (43 characters). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The API token: read from its file, or created there at first start (mode 0600, in a 0700
 * directory; a file that others could read is made private again). Created with O_EXCL, so two
 * servers starting at once end up with one token.
 */
export function loadOrCreateToken(path: string = tokenPath()): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, newSecret() + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 32)
    throw new Error(`The API token in ${path} is too short; delete the file to get a new one.`);
  return token;
}
