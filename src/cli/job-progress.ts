import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import type { Job, JobProgress } from '../jobs/job.js';
import { formatAmount, formatDuration, formatRate } from './human-units.js';

/** Where a job's progress goes: the command's `progress` stream (stderr), whether it is a terminal, --json. */
export interface JobOutput {
  progress: NodeJS.WritableStream;
  isTTY: boolean;
  json: boolean;
}

/** What delivers Ctrl-C: `process` in the CLI, an EventEmitter in tests. */
export interface InterruptSource {
  on(event: 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGINT', listener: () => void): unknown;
}

export interface RunJobOptions {
  /** Defaults to `process`. */
  interrupts?: InterruptSource;
  /** Milliseconds between redraws of the bar or spinner on a terminal (default 100). */
  redrawMs?: number;
}

/** The parts of one progress line, each already in words: what the bar, the plain lines and tests show. */
export interface ProgressParts {
  phase: string;
  /** 0–100, whole; absent while the total is unknown. */
  percent?: number;
  /** `1.2 GiB / 3 GiB`, or `1.2 GiB` without a total. */
  amount: string;
  rate?: string;
  /** `1m15s`; absent without a total or a rate. */
  eta?: string;
}

export function progressParts(p: JobProgress): ProgressParts {
  const known = p.total !== undefined && p.total > 0;
  const amount = known
    ? `${formatAmount(p.done, p.unit)} / ${formatAmount(p.total!, p.unit)}`
    : formatAmount(p.done, p.unit);
  const parts: ProgressParts = { phase: p.phase, amount };
  if (known) parts.percent = Math.min(100, Math.floor((p.done * 100) / p.total!));
  if (p.rate !== undefined && p.rate > 0) {
    parts.rate = formatRate(p.rate, p.unit);
    if (known) parts.eta = formatDuration(Math.max(0, p.total! - p.done) / p.rate);
  }
  return parts;
}

/** One plain line (no terminal): `copying: 40% (1.2 GiB / 3 GiB, 50 MiB/s, ETA 36s)`. */
export function plainLine(p: JobProgress): string {
  const x = progressParts(p);
  const details = [x.amount, x.rate, x.eta && `ETA ${x.eta}`].filter(Boolean).join(', ');
  return `${x.phase}: ${x.percent === undefined ? '' : `${x.percent}% `}(${details})`;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 24;

/** The terminal line: a bar with percent, amount, rate and ETA; a spinner while the total is unknown. */
export function ttyLine(p: JobProgress, frame: number): string {
  const x = progressParts(p);
  const tail = [x.amount, x.rate, x.eta && `ETA ${x.eta}`].filter(Boolean).join('  ');
  if (x.percent === undefined) return `${SPINNER[frame % SPINNER.length]} ${x.phase}  ${tail}`;
  const full = Math.round((x.percent * BAR_WIDTH) / 100);
  const bar = '█'.repeat(full) + '░'.repeat(BAR_WIDTH - full);
  return `${x.phase} ${bar} ${String(x.percent).padStart(3)}%  ${tail}`;
}

interface Renderer {
  update(p: JobProgress): void;
  say(line: string): void;
  stop(): void;
}

/** Lines without a terminal: one at each phase change and each further 10% of a known total. */
function plainRenderer(out: NodeJS.WritableStream): Renderer {
  let phase: string | undefined;
  let decile = -1;
  return {
    update(p) {
      const parts = progressParts(p);
      const d = parts.percent === undefined ? -1 : Math.floor(parts.percent / 10);
      if (p.phase === phase && d <= decile) return;
      phase = p.phase;
      decile = d;
      out.write(plainLine(p) + '\n');
    },
    say: (line) => void out.write(line + '\n'),
    stop: () => undefined,
  };
}

type CliProgress = typeof import('cli-progress');
let cliProgress: CliProgress | undefined;

/** cli-progress is loaded only when a job runs on a terminal: other commands never pay for it. */
function loadCliProgress(): CliProgress {
  cliProgress ??= createRequire(import.meta.url)('cli-progress') as CliProgress;
  return cliProgress;
}

/** The terminal: cli-progress redraws one line (throttled, cleared at the end) from `ttyLine`. */
function ttyRenderer(out: NodeJS.WritableStream, first: JobProgress, redrawMs: number): Renderer {
  const { SingleBar } = loadCliProgress();
  let last = first;
  let frame = 0;
  const bar: SingleBar = new SingleBar({
    stream: out,
    fps: 1000 / redrawMs,
    clearOnComplete: true,
    hideCursor: false,
    linewrap: true,
    format: () => ttyLine(last, frame++),
  });
  bar.start(1, 0);
  return {
    update(p) {
      last = p;
      bar.update(0);
    },
    say(line) {
      // Above the bar: clear its line, print, and let the next redraw put the bar back.
      bar.stop();
      out.write(line + '\n');
      bar.start(1, 0);
    },
    stop: () => bar.stop(),
  };
}

const silent: Renderer = { update: () => undefined, say: () => undefined, stop: () => undefined };

/**
 * Runs a job from a command and returns its value (or throws its error, a `JobCancelledError` after
 * Ctrl-C): a bar or spinner on a terminal, plain lines otherwise, nothing with --json. The first
 * Ctrl-C cancels the job and waits for its undo list; a second one only says it is still cleaning up.
 */
export async function runJob<T>(job: Job<T>, out: JobOutput, options: RunJobOptions = {}): Promise<T> {
  const interrupts = options.interrupts ?? process;
  const renderer = out.json
    ? silent
    : out.isTTY
      ? ttyRenderer(out.progress, job.last, options.redrawMs ?? 100)
      : plainRenderer(out.progress);
  const onProgress = (p: JobProgress) => renderer.update(p);
  let interrupted = 0;
  const onInterrupt = () => {
    interrupted++;
    if (interrupted === 1) {
      renderer.say(`Cancelling the ${job.kind}; undoing what it made…`);
      job.cancel();
    } else renderer.say(`Still cleaning up after the ${job.kind}; it stops as soon as that is done.`);
  };
  job.on('progress', onProgress);
  interrupts.on('SIGINT', onInterrupt);
  try {
    return await job.result;
  } finally {
    interrupts.off('SIGINT', onInterrupt);
    job.off('progress', onProgress);
    renderer.stop();
  }
}
