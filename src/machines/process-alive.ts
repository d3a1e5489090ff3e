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
