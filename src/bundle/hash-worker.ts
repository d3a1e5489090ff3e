/**
 * The hash worker of file-copy.ts: SHA-256 of the prefix, then of the ring's slots (copy-ring.ts) in
 * the order the reader publishes them, while the writer writes them; posts the digest once the reader
 * published its last slot and every one was hashed. Only Node's built-ins (dist/src/bundle/hash-worker.js, also from the CLI's bundle).
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { HASHED, nextPublished, slot, type Ring } from './copy-ring.js';

export type HashReply = { kind: 'hashed'; sha256: string } | { kind: 'stopped' };

const { ring, prefix } = workerData as { ring: Ring; prefix: Uint8Array };
const ctl = new Int32Array(ring.control);
const lengths = new Int32Array(ring.lengths);
const hash = createHash('sha256');
hash.update(Buffer.from(prefix));
let next = 0;
let at: ReturnType<typeof nextPublished>;
while ((at = nextPublished(ctl, next)) === 'slot') {
  hash.update(slot(ring, next).subarray(0, lengths[next % lengths.length]!));
  Atomics.store(ctl, HASHED, ++next);
  Atomics.notify(ctl, HASHED);
}
parentPort!.postMessage(
  (at === 'end' ? { kind: 'hashed', sha256: hash.digest('hex') } : { kind: 'stopped' }) satisfies HashReply,
);
