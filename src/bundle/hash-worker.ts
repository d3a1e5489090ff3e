/**
 * The hash worker of file-copy.ts: SHA-256 of the prefix, then of the ring's slots (copy-ring.ts) in
 * the order the copier publishes them; posts the digest once the copier published its last slot and
 * every one was hashed. Only Node's built-ins (dist/src/bundle/hash-worker.js, also from the CLI's bundle).
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { END, HEAD, STOP, TAIL, slot, type Ring } from './copy-ring.js';

export type HashReply = { kind: 'hashed'; sha256: string } | { kind: 'stopped' };

const { ring, prefix } = workerData as { ring: Ring; prefix: Uint8Array };
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const hash = createHash('sha256');
hash.update(Buffer.from(prefix));
let tail = 0;
for (;;) {
  if (Atomics.load(ctl, STOP) !== 0) {
    parentPort!.postMessage({ kind: 'stopped' } satisfies HashReply);
    break;
  }
  // END first: once it is set, HEAD holds every slot there will be.
  const end = Atomics.load(ctl, END);
  const head = Atomics.load(ctl, HEAD);
  if (tail < head) {
    hash.update(slot(ring, tail).subarray(0, lengths[tail % lengths.length]!));
    Atomics.store(ctl, TAIL, ++tail);
    Atomics.notify(ctl, TAIL);
    continue;
  }
  if (end === 1) {
    parentPort!.postMessage({ kind: 'hashed', sha256: hash.digest('hex') } satisfies HashReply);
    break;
  }
  if (end === 2) {
    parentPort!.postMessage({ kind: 'stopped' } satisfies HashReply);
    break;
  }
  Atomics.wait(ctl, HEAD, head, 50);
}
