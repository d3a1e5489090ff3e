import { readdirSync, readFileSync } from 'node:fs';

/**
 * The pids of this process's children running `zstd`, read from /proc: what a test checks is empty
 * after a (de)compression ended, whichever way it ended. A reaped child is gone from /proc; an unreaped
 * one (a zombie) would still be listed.
 */
export function zstdChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (comm === 'zstd' && ppid === process.pid) pids.push(Number(name));
  }
  return pids;
}
