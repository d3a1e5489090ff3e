import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether a process with this id exists (signal 0 is only checked, not sent). EPERM means it exists
 * but belongs to another user. Locks and leftover files are named after the process that made them.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` that a process which is gone (not this one) left: `pidOf` reads the
 * process id from a name (undefined: not such an entry). What a killed run could not remove itself.
 * Directories go too, with what they hold, only when `directories` says the run made some.
 */
export async function removeDeadProcessFiles(
  dir: string,
  pidOf: (name: string) => number | undefined,
  { directories = false } = {},
): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const pid = pidOf(n);
    if (pid !== undefined && pid > 0 && pid !== process.pid && !processAlive(pid))
      await rm(join(dir, n), { recursive: directories, force: true });
  }
}
