import { stderrSpinner } from '../host/spinner.js';
import type { Job, JobProgress } from '../jobs/job.js';
import type { CommandContext } from './command.js';

function line(p: JobProgress): string {
  if (p.total === undefined) return p.phase;
  const unit = p.unit === 'seconds' ? ' s' : p.unit === 'bytes' ? ' B' : '';
  return `${p.phase} (${p.done}/${p.total}${unit})`;
}

/**
 * Shows a job while it runs (a spinner on a terminal, a line per phase otherwise, nothing with
 * --json) and cancels it on Ctrl-C; resolves with its result. (Interim: the CLI's job renderer,
 * src/cli/job-progress.ts, replaces the drawing.)
 */
export async function runJob<T>(ctx: CommandContext, job: Job<T>): Promise<T> {
  const spinner = !ctx.json && ctx.isTTY ? stderrSpinner() : undefined;
  let phase = '';
  const onProgress = (p: JobProgress) => {
    if (spinner) spinner.update(line(p));
    else if (!ctx.json && p.phase !== phase) ctx.progress.write(`${p.phase}\n`);
    phase = p.phase;
  };
  const cancel = () => job.cancel();
  job.on('progress', onProgress);
  process.on('SIGINT', cancel);
  try {
    return await job.result;
  } finally {
    process.off('SIGINT', cancel);
    job.off('progress', onProgress);
    spinner?.stop();
  }
}
