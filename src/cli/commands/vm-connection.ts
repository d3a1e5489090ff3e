import { connect, defaultUri, type Libvirt } from '../../libvirt/index.js';
import type { Job, JobProgress } from '../../jobs/job.js';
import type { CommandContext } from '../command.js';

/** Connects to `--connect` (else the default URI), runs `fn`, and closes the connection. */
export async function withConnection<T>(ctx: CommandContext, fn: (lv: Libvirt) => Promise<T>): Promise<T> {
  const lv = await connect(typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri());
  try {
    return await fn(lv);
  } finally {
    await lv.close();
  }
}

/** Waits for a job; Ctrl-C (SIGINT) cancels it, and its undo list runs before the command ends. */
export async function awaitJob<T>(job: Job<T>): Promise<T> {
  const cancel = () => job.cancel();
  process.on('SIGINT', cancel);
  try {
    return await job.result;
  } finally {
    process.off('SIGINT', cancel);
  }
}

function line(p: JobProgress): string {
  const mib = (n: number) => (p.unit === 'bytes' ? `${(n / 2 ** 20).toFixed(0)} MiB` : String(n));
  const of = p.total === undefined ? '' : ` of ${mib(p.total)}`;
  const rate = p.rate === undefined || p.unit !== 'bytes' ? '' : ` (${mib(p.rate)}/s)`;
  return `${p.phase}: ${mib(p.done)}${of}${rate}`;
}

/** Shows a job's progress on stderr (not with --json): one redrawn line on a terminal, else a line per phase. */
export function withProgressLines<T>(ctx: CommandContext, job: Job<T>): Job<T> {
  if (ctx.json) return job;
  let phase = '';
  job.on('progress', (p) => {
    if (ctx.isTTY) ctx.progress.write(`\r\x1b[K${line(p)}`);
    else if (p.phase !== phase) ctx.progress.write(`${line(p)}\n`);
    phase = p.phase;
  });
  job.on('end', (state) => {
    if (ctx.isTTY && phase) ctx.progress.write('\r\x1b[K');
    else if (phase && state === 'done') ctx.progress.write(`${line(job.last)}\n`);
  });
  return job;
}
