import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobCancelledError, startJob, type JobProgress } from './job.js';

describe('jobs', () => {
  it('reports progress with its id, kind, phase, unit and a rate, and resolves with the work’s value', async () => {
    const seen: JobProgress[] = [];
    const job = startJob('copy', async ({ progress }) => {
      progress('copying', 0, 300, 'bytes');
      await sleep(20);
      progress('copying', 150, 300);
      await sleep(20);
      progress('copying', 300, 300);
      return 'copied';
    });
    job.on('progress', (p) => seen.push(p));
    assert.equal(await job.result, 'copied');
    assert.equal(job.state, 'done');
    assert.deepEqual(
      seen.map((p) => [p.phase, p.done, p.total, p.unit]),
      [
        ['copying', 0, 300, 'bytes'],
        ['copying', 150, 300, 'bytes'],
        ['copying', 300, 300, 'bytes'],
      ],
    );
    assert.ok(seen.every((p) => p.job === job.id && p.kind === 'copy'));
    assert.equal(seen[0]!.rate, undefined);
    assert.ok((seen[2]!.rate ?? 0) > 0, 'a rate once two reports came');
  });

  it('a failed job undoes what it made, newest first, and rejects with the work’s error', async () => {
    const undone: string[] = [];
    const job = startJob('clone', async ({ undo }) => {
      undo.push('made a', async () => void undone.push('a'));
      undo.push('made b', async () => void undone.push('b'));
      throw new Error('disk full');
    });
    await assert.rejects(job.result, /disk full/);
    assert.deepEqual(undone, ['b', 'a']);
    assert.equal(job.state, 'failed');
  });

  it('cancel aborts the signal, undoes, and rejects with a typed cancelled error naming what was left', async () => {
    const undone: string[] = [];
    const job = startJob('full clone', async ({ signal, undo }) => {
      undo.push('the copy', async () => void undone.push('copy'));
      undo.push('the stubborn file', async () => {
        throw new Error('busy');
      });
      await sleep(10_000, undefined, { signal });
    });
    setImmediate(() => job.cancel());
    await assert.rejects(job.result, (e: unknown) => {
      assert.ok(e instanceof JobCancelledError);
      assert.equal(e.code, 'cancelled');
      assert.deepEqual(e.leftBehind, ['the stubborn file (undo failed: busy)']);
      return true;
    });
    assert.deepEqual(undone, ['copy']);
    assert.equal(job.state, 'cancelled');
  });

  it('cancel after the end changes nothing', async () => {
    const job = startJob('quick', async () => 1);
    assert.equal(await job.result, 1);
    job.cancel();
    assert.equal(job.state, 'done');
  });
});
