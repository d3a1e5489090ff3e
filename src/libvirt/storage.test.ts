import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from './api.js';
import { UnixDialer } from './dialers/unix.js';
import { LibvirtError } from './errors.js';
import { answerHandshake, type CallHandler, FakeDaemon } from './fake-daemon.js';
import { Proc } from './procedures.js';

/** libvirtd's refusal while a volume upload, download or wipe runs in the pool (VIR_ERR_INTERNAL_ERROR). */
const BUSY = {
  code: 1,
  domain: 18,
  message: "internal error: pool 'default' has asynchronous jobs running.",
};

/** A daemon whose refreshes answer `answers` in turn (then OK); counts them. */
function daemon(answers: (typeof BUSY | undefined)[]) {
  const seen = { refreshes: 0 };
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.StoragePoolLookupByName.num)
      return c.reply(p, Proc.StoragePoolLookupByName.ret, {
        pool: { name: 'default', uuid: Buffer.alloc(16, 7) },
      });
    if (p.proc === Proc.StoragePoolRefresh.num) {
      const answer = answers[seen.refreshes++];
      return answer ? c.replyError(p, answer) : c.replyBytes(p, Buffer.alloc(0));
    }
  };
  return { handler, seen };
}

async function withPool(
  answers: (typeof BUSY | undefined)[],
  fn: (refresh: (waitMs?: number) => Promise<void>) => Promise<void>,
) {
  const { handler, seen } = daemon(answers);
  const d = await FakeDaemon.unix(handler);
  const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
  try {
    const pool = await lv.pools.lookup('default');
    await fn((waitMs) => pool.refresh(waitMs));
  } finally {
    await lv.close();
    await d.close();
  }
  return seen.refreshes;
}

test('a refresh refused while the pool has a volume job running is asked again until it goes through', async () => {
  const calls = await withPool([BUSY, BUSY, BUSY], async (refresh) => {
    await refresh();
  });
  assert.equal(calls, 4);
});

test('another refusal is thrown at once; a pool still busy when the wait is over throws the refusal', async () => {
  const other = { code: 49, domain: 18, message: 'storage pool is not active' };
  const once = await withPool([other], async (refresh) => {
    await assert.rejects(
      refresh(),
      (e: unknown) => e instanceof LibvirtError && /not active/.test(e.message),
    );
  });
  assert.equal(once, 1);
  const busy = Array.from({ length: 50 }, () => BUSY);
  const tries = await withPool(busy, async (refresh) => {
    await assert.rejects(
      refresh(0),
      (e: unknown) => e instanceof LibvirtError && /asynchronous jobs/.test(e.message),
    );
  });
  assert.equal(tries, 1, 'no wait left: the refusal is thrown');
});
