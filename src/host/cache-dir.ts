import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's cache directory for Phyllome: `$XDG_CACHE_HOME/phyllome`, else `~/.cache/phyllome`. */
export function phyllomeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'phyllome');
}
