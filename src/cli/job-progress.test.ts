import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobCancelledError, startJob, type JobProgress } from '../jobs/job.js';
import { plainLine, progressParts, runJob, ttyLine } from './job-progress.js';

/** A stream that records what was written; `isTTY` and `columns` make it look like a terminal. */
function fakeStream(tty: boolean): Writable & { text: () => string; isTTY?: boolean; columns?: number } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { text: () => string; isTTY?: boolean; columns?: number };
  stream.text = () => chunks.join('');
  if (tty) {
    stream.isTTY = true;
    stream.columns = 100;
  }
  return stream;
}

const p = (over: Partial<JobProgress>): JobProgress => ({
  job: 'j',
  kind: 'disk copy',
  phase: 'copying',
  done: 0,
  unit: 'bytes',
  ...over,
});

describe('job progress: the words', () => {
  it('bytes are humanized, with percent, rate and ETA from the job’s own rate', () => {
    const parts = progressParts(p({ done: 512 * 2 ** 20, total: 2 * 2 ** 30, rate: 64 * 2 ** 20 }));
    assert.deepEqual(parts, {
      phase: 'copying',
      amount: '512 MiB / 2 GiB',
      percent: 25,
      rate: '64 MiB/s',
      eta: '24s',
    });
    assert.equal(
      plainLine(p({ done: 512 * 2 ** 20, total: 2 * 2 ** 30, rate: 64 * 2 ** 20 })),
      'copying: 25% (512 MiB / 2 GiB, 64 MiB/s, ETA 24s)',
    );
  });

  it('without a total: no percent, no ETA, and the terminal shows a spinner instead of a bar', () => {
    const x = p({ done: 3 * 2 ** 20, rate: 2 ** 20 });
    assert.deepEqual(progressParts(x), { phase: 'copying', amount: '3 MiB', rate: '1 MiB/s' });
    assert.match(ttyLine(x, 0), /^⠋ copying {2}3 MiB {2}1 MiB\/s$/);
    assert.match(ttyLine(x, 1), /^⠙ /);
    assert.match(
      ttyLine(p({ done: 5, total: 10, unit: 'steps' }), 0),
      /^copying █{12}░{12} {2}50% {2}5 \/ 10$/,
    );
  });
});

describe('job progress: running a job', () => {
  it('on a terminal: redraws one line with a bar, then clears it; the value is returned', async () => {
    const tty = fakeStream(true);
    const job = startJob('disk copy', async ({ progress }) => {
      progress('copying', 0, 4 * 2 ** 20, 'bytes');
      await sleep(30);
      progress('copying', 2 * 2 ** 20, 4 * 2 ** 20);
      await sleep(30);
      return 'copied';
    });
    assert.equal(await runJob(job, { progress: tty, isTTY: true, json: false }, { redrawMs: 5 }), 'copied');
    const text = tty.text();
    assert.match(text, /copying █+░+ +50% {2}2 MiB \/ 4 MiB/);
    assert.ok(text.includes('\x1b[1G'), 'the cursor goes back to the line’s start to redraw');
    assert.ok(text.endsWith('\x1b[1G\x1b[2K'), 'the bar’s line is cleared at the end');
  });

  it('without a terminal: a line per phase change and per 10%, no escape codes', async () => {
    const pipe = fakeStream(false);
    const job = startJob('disk copy', async ({ progress }) => {
      progress('preparing', 0, undefined, 'steps');
      for (let i = 0; i <= 100; i += 5) progress('copying', i, 100, 'bytes');
      return 1;
    });
    await runJob(job, { progress: pipe, isTTY: false, json: false });
    const lines = pipe.text().trimEnd().split('\n');
    assert.equal(lines[0], 'preparing: (0)');
    assert.deepEqual(
      lines.slice(1).map((l) => l.replace(/ \(.*/, '')),
      [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `copying: ${n}%`),
    );
    assert.ok(!pipe.text().includes('\x1b'), 'no escape codes');
  });

  it('with --json: nothing at all on the progress stream', async () => {
    const tty = fakeStream(true);
    const job = startJob('disk copy', async ({ progress }) => {
      progress('copying', 1, 2, 'bytes');
      return 1;
    });
    await runJob(job, { progress: tty, isTTY: true, json: true });
    assert.equal(tty.text(), '');
  });

  it('Ctrl-C cancels the job, waits for its cleanup, and rejects with `cancelled`; a second one says it is still cleaning up', async () => {
    const pipe = fakeStream(false);
    const interrupts = new EventEmitter();
    let cleaned = false;
    let release!: () => void;
    const cleanupMayEnd = new Promise<void>((r) => (release = r));
    const job = startJob('disk copy', async ({ signal, undo, progress }) => {
      undo.push('the partial copy', async () => {
        await cleanupMayEnd;
        cleaned = true;
      });
      progress('copying', 0, 10, 'bytes');
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const running = runJob(job, { progress: pipe, isTTY: false, json: false }, { interrupts });
    await sleep(10);
    interrupts.emit('SIGINT');
    await sleep(10);
    interrupts.emit('SIGINT');
    assert.equal(cleaned, false);
    release();
    await assert.rejects(
      running,
      (err: unknown) => err instanceof JobCancelledError && err.code === 'cancelled',
    );
    assert.equal(cleaned, true, 'runJob settled only after the undo list ran');
    assert.match(pipe.text(), /Cancelling the disk copy/);
    assert.match(pipe.text(), /Still cleaning up after the disk copy/);
    assert.equal(interrupts.listenerCount('SIGINT'), 0, 'the Ctrl-C handler is removed');
  });
});
