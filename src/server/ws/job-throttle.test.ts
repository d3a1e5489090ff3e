import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../job-registry.js';
import { JobThrottle } from './job-throttle.js';

const view = (done: number, state: JobView['state'] = 'running'): JobView => ({
  id: 'j1',
  kind: 'copy',
  host: 'local',
  state,
  progress: { job: 'j1', kind: 'copy', phase: 'copying', done, unit: 'bytes' },
  startedAt: '2024-05-01T10:00:00.000Z',
});

describe('JobThrottle', () => {
  it('passes the first report at once, holds a burst to the newest, and sends the end at once', async () => {
    let now = 0;
    const sent: [string, number][] = [];
    const t = new JobThrottle(
      (j) => sent.push([j.state, j.progress.done]),
      100,
      () => now,
    );
    const live = view(0);
    t.report(live);
    assert.deepEqual(sent, [['running', 0]]);
    for (const done of [10, 20, 30]) {
      live.progress = { ...live.progress, done };
      t.report(live);
    }
    assert.equal(sent.length, 1, 'a burst inside the interval is held');
    now = 100;
    await sleep(150);
    assert.deepEqual(sent.at(-1), ['running', 30], 'then the newest goes out');
    live.progress = { ...live.progress, done: 40 };
    now = 150;
    t.report(live);
    t.report({ ...live, state: 'done' });
    assert.deepEqual(sent.at(-1), ['done', 40], 'the end is not held');
    await sleep(150);
    assert.deepEqual(sent.at(-1), ['done', 40], 'nothing held is sent after the end');
    t.close();
  });
});
