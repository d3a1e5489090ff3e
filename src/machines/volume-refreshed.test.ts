import assert from 'node:assert/strict';
import { test } from 'node:test';
import { untilRefreshed } from './volume-refreshed.js';

/** A volume that reads as its raw few bytes `staleFor` times, then as the image's virtual size. */
function target(staleFor: number) {
  const seen = { asked: 0, refreshed: 0 };
  return {
    seen,
    volume: {
      async info() {
        seen.asked++;
        return { capacity: seen.asked > staleFor || seen.refreshed > 0 ? 1024n ** 3n : 196_624n };
      },
    },
    pool: {
      async refresh() {
        seen.refreshed++;
      },
    },
  };
}

test('a volume libvirt already refreshed: asked once, no refresh of the pool', async () => {
  const t = target(0);
  await untilRefreshed(t, 1024n ** 3n);
  assert.deepEqual(t.seen, { asked: 1, refreshed: 0 });
});

test('a volume that reads stale a few times: asked until it is right, still no refresh of the pool', async () => {
  const t = target(3);
  await untilRefreshed(t, 1024n ** 3n);
  assert.deepEqual(t.seen, { asked: 4, refreshed: 0 });
});

test('a volume that stays stale: after 25 tries the pool is refreshed here', async () => {
  const t = target(Infinity);
  await untilRefreshed(t, 1024n ** 3n);
  assert.deepEqual(t.seen, { asked: 25, refreshed: 1 });
});
