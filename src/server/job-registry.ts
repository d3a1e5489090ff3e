import type { Job, JobProgress, JobState } from '../jobs/job.js';
import { PhyllomeError, errorShape, type ErrorShape } from '../errors.js';

export class JobNotFoundError extends PhyllomeError {
  override name = 'JobNotFoundError';
  constructor(id: string) {
    super('job-not-found', `No job "${id}" on this server.`, {
      hint: 'GET /api/jobs lists the jobs this server runs and ran since it started.',
    });
  }
}

/** A job as the API shows it. */
export interface JobView {
  id: string;
  kind: string;
  host: string;
  /** The VM it works on, when it works on one. */
  vm?: string;
  state: JobState;
  progress: JobProgress;
  startedAt: string;
  endedAt?: string;
  result?: unknown;
  error?: ErrorShape;
}

interface Entry {
  job: Job<unknown>;
  view: JobView;
}

/**
 * The jobs this server runs (full clones, disk copies, shutdown waits…): listed, read and cancelled
 * through the API, their progress passed on to event listeners. Finished jobs are kept (the last 100)
 * so a client that comes late still reads the result.
 */
export class JobRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(view: JobView) => void>();

  constructor(private readonly keep = 100) {}

  add<T>(job: Job<T>, meta: { host: string; vm?: string }): JobView {
    const view: JobView = {
      id: job.id,
      kind: job.kind,
      host: meta.host,
      ...(meta.vm ? { vm: meta.vm } : {}),
      state: job.state,
      progress: job.last,
      startedAt: new Date().toISOString(),
    };
    this.entries.set(job.id, { job: job as Job<unknown>, view });
    job.on('progress', (p) => {
      view.progress = p;
      this.emit(view);
    });
    job.result.then(
      (value) => this.finish(view, job.state, { result: value }),
      (err: unknown) => this.finish(view, job.state, { error: errorShape(err).shape }),
    );
    this.emit(view);
    this.prune();
    return view;
  }

  list(): JobView[] {
    return [...this.entries.values()].map((e) => e.view);
  }

  get(id: string): JobView {
    const e = this.entries.get(id);
    if (!e) throw new JobNotFoundError(id);
    return e.view;
  }

  cancel(id: string): JobView {
    const e = this.entries.get(id);
    if (!e) throw new JobNotFoundError(id);
    e.job.cancel();
    return e.view;
  }

  /** Calls `fn` on every change of any job; returns the unsubscribe. */
  subscribe(fn: (view: JobView) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Cancels every running job (server shutdown) and waits for their clean-up. */
  async cancelAll(): Promise<void> {
    const running = [...this.entries.values()].filter((e) => e.job.state === 'running');
    for (const e of running) e.job.cancel();
    await Promise.all(running.map((e) => e.job.result.catch(() => undefined)));
  }

  private finish(view: JobView, state: JobState, out: { result?: unknown; error?: ErrorShape }): void {
    view.state = state;
    view.endedAt = new Date().toISOString();
    Object.assign(view, out);
    this.emit(view);
  }

  private emit(view: JobView): void {
    for (const fn of this.listeners) fn(view);
  }

  private prune(): void {
    const done = [...this.entries.values()].filter((e) => e.job.state !== 'running');
    for (const e of done.slice(0, Math.max(0, done.length - this.keep))) this.entries.delete(e.view.id);
  }
}
