import type { FastifyReply } from 'fastify';
import type { Job } from '../jobs/job.js';

/**
 * Cancels `job` when its client goes away before the reply was sent in full: a closed tab or a
 * stopped download (an export's stream), a cut upload (an import's body). The job's undo then
 * removes what it made, as a cancel through the API would.
 */
export function cancelWhenClientGoes(reply: FastifyReply, job: Job<unknown>): void {
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) job.cancel();
  });
}
