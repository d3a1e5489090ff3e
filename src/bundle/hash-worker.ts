/**
 * The hash worker of file-copy.ts: SHA-256 of the prefix, then of the ring's slots (copy-ring.ts) in
 * the order the reader publishes them, while the writer writes them; posts the digest once the reader
 * published its last slot and every one was hashed. Only Node's built-ins (dist/src/bundle/hash-worker.js, also from the CLI's bundle).
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { END, HASHED, READ, STOP, slot, waitFor, type Ring } from './copy-ring.js';

export type HashReply = { kind: 'hashed'; sha256: string } | { kind: 'stopped' };

const { ring, prefix } = workerData as { ring: Ring; prefix: Uint8Array };
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const hash = createHash('sha256');
hash.update(Buffer.from(prefix));
let next = 0;
for (;;) {
  if (Atomics.load(ctl, STOP) !== 0) {
    parentPort!.postMessage({ kind: 'stopped' } satisfies HashReply);
    break;
  }
  // END first: once it is set, READ holds every slot there will be.
  const end = Atomics.load(ctl, END);
  const read = Atomics.load(ctl, READ);
  if (next < read) {
    hash.update(slot(ring, next).subarray(0, lengths[next % lengths.length]!));
    Atomics.store(ctl, HASHED, ++next);
    Atomics.notify(ctl, HASHED);
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
  waitFor(ctl, READ, read);
}
