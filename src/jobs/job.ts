import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { PhyllomeError } from '../errors.js';
import { UndoList } from './undo-list.js';

export type JobUnit = 'bytes' | 'steps' | 'seconds';
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

/** One progress report: what the CLI's bar, the API's events and the UI's bar all show. */
export interface JobProgress {
  job: string;
  kind: string;
  phase: string;
  done: number;
  /** Absent while the total is not known (a spinner rather than a bar). */
  total?: number;
  unit: JobUnit;
  /** Units per second over the last few reports; absent until two reports came. */
  rate?: number;
}

/** A job was cancelled (Ctrl-C, `job cancel`, an API call); whatever it had made was undone. */
export class JobCancelledError extends PhyllomeError {
  override name = 'JobCancelledError';
  readonly leftBehind: string[];
  constructor(kind: string, leftBehind: string[] = []) {
    super(
      'cancelled',
      `The ${kind} was cancelled` + (leftBehind.length ? `; left behind: ${leftBehind.join('; ')}` : ''),
      {
        hint: leftBehind.length
          ? 'Remove what was left behind by hand, then try again.'
          : 'Nothing was left behind; run the command again when you want it.',
      },
    );
    this.leftBehind = leftBehind;
  }
}

/** What the work of a job receives. */
export interface JobContext {
  /** Aborted when the job is cancelled: pass it to every stream and wait. */
  signal: AbortSignal;
  /** Reports progress; `unit` defaults to the previous report's (else `steps`). */
  progress(phase: string, done: number, total?: number, unit?: JobUnit): void;
  /** Records how to take back a change just made; run newest first when the job fails or is cancelled. */
  undo: UndoList;
}

const RATE_WINDOW_MS = 3000;

/**
 * A long operation (a disk copy, a full clone, a shutdown wait, an export): an id, progress events,
 * cancellation, and the guarantee that a failed or cancelled job undoes what it made (its `UndoList`).
 * `result` settles with the work's value, its error, or a `JobCancelledError`.
 */
export class Job<T> extends EventEmitter<{ progress: [JobProgress]; end: [JobState] }> {
  readonly id = randomUUID();
  state: JobState = 'running';
  last: JobProgress;
  readonly result: Promise<T>;
  private readonly controller = new AbortController();
  private readonly samples: { at: number; done: number }[] = [];

  constructor(
    readonly kind: string,
    work: (ctx: JobContext) => Promise<T>,
  ) {
    super();
    this.last = { job: this.id, kind, phase: 'starting', done: 0, unit: 'steps' };
    const undo = new UndoList();
    const ctx: JobContext = {
      signal: this.controller.signal,
      progress: (phase, done, total, unit) => this.report(phase, done, total, unit),
      undo,
    };
    this.result = Promise.resolve()
      .then(() => work(ctx))
      .then(
        (value) => {
          this.finish('done');
          return value;
        },
        async (err: unknown) => {
          const leftBehind = await undo.run();
          const cancelled = this.controller.signal.aborted;
          this.finish(cancelled ? 'cancelled' : 'failed');
          if (cancelled) throw new JobCancelledError(kind, leftBehind);
          if (leftBehind.length && err instanceof Error)
            Object.assign(err, {
              leftBehind: [...((err as { leftBehind?: string[] }).leftBehind ?? []), ...leftBehind],
            });
          throw err;
        },
      );
    // The caller handles `result`; an unobserved rejection must not crash a server holding many jobs.
    this.result.catch(() => undefined);
  }

  /** Asks the work to stop: its signal aborts, and what it made is undone. */
  cancel(): void {
    if (this.state === 'running') this.controller.abort(new JobCancelledError(this.kind));
  }

  private report(phase: string, done: number, total: number | undefined, unit: JobUnit | undefined): void {
    if (this.state !== 'running') return;
    const now = Date.now();
    if (phase !== this.last.phase) this.samples.length = 0;
    this.samples.push({ at: now, done });
    while (this.samples.length > 2 && now - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const rate = now > first.at ? ((done - first.done) * 1000) / (now - first.at) : undefined;
    this.last = {
      job: this.id,
      kind: this.kind,
      phase,
      done,
      ...(total === undefined ? {} : { total }),
      unit: unit ?? this.last.unit,
      ...(rate === undefined ? {} : { rate }),
    };
    this.emit('progress', this.last);
  }

  private finish(state: JobState): void {
    this.state = state;
    this.emit('end', state);
  }
}

/** Starts `work` as a job. */
export function startJob<T>(kind: string, work: (ctx: JobContext) => Promise<T>): Job<T> {
  return new Job(kind, work);
}
