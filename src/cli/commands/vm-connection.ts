import { connect, defaultUri, type Libvirt } from '../../libvirt/index.js';
import type { Job } from '../../jobs/job.js';
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
