import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Job } from '../../api/types';
import { cancelJob, getJob } from '../../api/vms';
import { bytes } from '../../format';
import { store, useStore } from '../../store';
import { jobFraction } from '../../vmpage/forms';
import { ErrorBox } from '../error-box';

/** Puts a job the API just answered into the store, unless its events already brought a newer one. */
export function rememberJob(job: Job): void {
  if (!store.get().jobs[job.id]) store.dispatch({ type: 'job', job });
}

function progressText(job: Job): string {
  const p = job.progress;
  if (job.state === 'done') return 'done';
  if (job.state === 'failed') return 'failed';
  if (job.state === 'cancelled') return 'cancelled';
  const amount =
    p.total && p.unit === 'bytes'
      ? `${bytes(p.done)} of ${bytes(p.total)}`
      : p.total
        ? `${p.done} of ${p.total} ${p.unit}`
        : '';
  return [p.phase, amount].filter(Boolean).join(': ');
}

/**
 * A job followed live: its progress from the store (job-progress events), with a <progress> bar. A
 * job whose events were missed (a reconnect) is read again every few seconds while it runs.
 */
export function JobProgress({
  id,
  label,
  cancellable,
}: {
  id: string;
  label: string;
  cancellable?: boolean;
}) {
  const job = useStore((s) => s.jobs[id]);
  const running = job?.state === 'running';
  const [cancelError, setCancelError] = useState<unknown>();
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      getJob(id)
        .then((j) => {
          if (j.state !== 'running') store.dispatch({ type: 'job', job: j });
        })
        .catch(() => undefined);
    }, 3000);
    return () => clearInterval(t);
  }, [id, running]);
  if (!job) return null;
  const ended = job.state !== 'running';
  const f = jobFraction(job.progress, ended);
  return (
    <div className={`job job-${job.state}`}>
      <p role="status" aria-live="polite">
        {label}: <strong>{progressText(job)}</strong>
      </p>
      <progress
        className="progress"
        aria-label={`${label} progress`}
        max={1}
        {...(f === undefined ? {} : { value: f })}
      />
      {job.error ? <ErrorBox error={new ApiError(422, job.error)} /> : null}
      {cancellable && running ? (
        <button type="button" onClick={() => void cancelJob(id).catch(setCancelError)}>
          Cancel
        </button>
      ) : null}
      <ErrorBox error={cancelError} title="Cancel failed" />
    </div>
  );
}
