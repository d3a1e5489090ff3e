/**
 * The local way of a disk byte copy: when libvirt runs on this machine and its pool files are ours
 * to read and write, `cp --sparse=always` copies the file (holes kept, zero runs made holes) with no
 * daemon in the data path. Measured (bench/disk-copy.mjs) the libvirt stream copy spends ~4 s of
 * daemon CPU and ~3 s of ours per 2 GiB of data, 2-3× `cp`; this way is `cp` plus a pool refresh.
 * Progress is the target file's allocated bytes, polled; cancelling kills `cp`.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobContext } from '../jobs/job.js';

const POLL_MS = 250;

/** Whether this process can copy `source` onto `target` itself. */
export async function canCopyLocally(source: string, target: string): Promise<boolean> {
  try {
    await access(source, constants.R_OK);
    await access(target, constants.W_OK);
    await access(dirname(target), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `cp --sparse=always source target`; returns the data bytes the copy holds. */
export async function copyFileSparse(
  source: string,
  target: string,
  total: number,
  ctx: JobContext,
): Promise<number> {
  ctx.signal.throwIfAborted();
  const child = spawn('cp', ['--sparse=always', '--', source, target], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const poll = setInterval(() => {
    stat(target)
      .then((st) => ctx.progress('copying', Math.min(st.blocks * 512, total), total, 'bytes'))
      .catch(() => undefined);
  }, POLL_MS);
  const onAbort = (): void => void child.kill('SIGTERM');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    });
    ctx.signal.throwIfAborted();
    if (code !== 0) throw new Error(stderr.trim() || `cp exited with status ${code}`);
  } finally {
    clearInterval(poll);
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return (await stat(target)).blocks * 512;
}
