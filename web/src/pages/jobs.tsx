import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api/client';
import { cancelJob } from '../api/vms';
import type { Job } from '../api/types';
import { ErrorBox } from '../components/error-box';
import {
  elapsed,
  etaText,
  kindLabel,
  progressBar,
  progressText,
  rateText,
  resultFields,
  sortJobs,
  stateWord,
  timeText,
} from '../create/jobs';
import { store, useStore } from '../store';

function JobCard({ job }: { job: Job }) {
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<unknown>();
  const running = job.state === 'running';
  const bar = progressBar(job.progress, job.state);
  const rate = rateText(job.progress);
  const eta = running ? etaText(job.progress) : undefined;
  const titleId = `job-${job.id}`;
  const cancel = async () => {
    setCancelling(true);
    setError(undefined);
    try {
      const answer = await cancelJob(job.id);
      // The answer may come after the job's end event: the reducer keeps an ended job ended.
      store.dispatch({ type: 'job', job: answer });
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(false);
    }
  };
  const now = Date.now();
  const fields = job.state === 'done' ? resultFields(job.result) : [];
  return (
    <article
      className={`card job job-${job.state}`}
      aria-labelledby={titleId}
      data-job={job.id}
      data-state={job.state}
    >
      <div className="job-head">
        <h3 id={titleId}>
          {kindLabel(job.kind)}
          {job.vm ? (
            <>
              {' '}
              of{' '}
              <Link href={`/vms/${encodeURIComponent(job.host)}/${encodeURIComponent(job.vm)}`}>
                {job.vm}
              </Link>
            </>
          ) : null}
        </h3>
        <span className={`job-state job-state-${job.state}`}>{stateWord[job.state]}</span>
        {running ? (
          <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
      </div>
      <p className="job-phase">
        {job.progress.phase}
        <span className="muted"> · on {job.host}</span>
      </p>
      <progress
        className="progress"
        aria-label={`Progress of the ${kindLabel(job.kind)}${job.vm ? ` of ${job.vm}` : ''}`}
        {...bar}
      />
      <p className="job-numbers muted">
        {progressText(job.progress)}
        {rate ? ` · ${rate}` : ''}
        {eta ? ` · ${eta}` : ''}
      </p>
      <p className="job-times muted">
        Started <time dateTime={job.startedAt}>{timeText(job.startedAt, now)}</time>
        {job.endedAt ? (
          <>
            , ended <time dateTime={job.endedAt}>{timeText(job.endedAt, now)}</time>
          </>
        ) : null}{' '}
        ({running ? 'running for ' : 'took '}
        {elapsed(job, now)})
      </p>
      {job.state === 'failed' && job.error ? (
        <ErrorBox error={new ApiError(0, job.error)} title="Failed" />
      ) : null}
      {job.state === 'cancelled' ? (
        <p className="job-cancel-note">
          {job.error?.message ?? 'Cancelled; what it had made was undone.'}
          {job.error?.hint ? <span className="muted"> {job.error.hint}</span> : null}
        </p>
      ) : null}
      {fields.length ? (
        <dl className="job-result">
          {fields.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <ErrorBox error={error} title="Not cancelled" />
    </article>
  );
}

/** Running and recent jobs, live from the event feed (no polling), with progress and cancel. */
export function JobsPage() {
  const jobs = useStore((s) => s.jobs);
  const sorted = sortJobs(jobs);
  const running = sorted.filter((j) => j.state === 'running');
  const ended = sorted.filter((j) => j.state !== 'running');
  return (
    <section className="jobs">
      <h1>Jobs</h1>
      <p className="lede">
        Full clones, disk copies and shutdown waits this server runs or ran (the last 100).
      </p>
      <h2>Running ({running.length})</h2>
      {running.length ? (
        <div className="job-list">
          {running.map((j) => (
            <JobCard key={j.id} job={j} />
          ))}
        </div>
      ) : (
        <p className="muted">No job is running.</p>
      )}
      <h2>Recent ({ended.length})</h2>
      {ended.length ? (
        <div className="job-list">
          {ended.map((j) => (
            <JobCard key={j.id} job={j} />
          ))}
        </div>
      ) : (
        <p className="muted">No job has ended since the server started.</p>
      )}
    </section>
  );
}
