import { setTimeout as sleep } from 'node:timers/promises';

/** What `untilRefreshed` asks of a volume and its pool (the libvirt client's StorageVolume and StoragePool). */
export interface RefreshTarget {
  volume: { info(): Promise<{ capacity: bigint }> };
  pool: { refresh(): Promise<void> };
}

/** How often, and how many times, the volume is asked before the pool is refreshed here. */
const POLL_MS = 2;
const POLLS = 25;

/**
 * Waits until libvirt sees an uploaded qcow2 image as one: `capacity` bytes of virtual size.
 * libvirt learns a file's format and virtual size only when it refreshes its pool. After an upload it
 * does that on a thread of its own, once the stream ends. Until then the new volume reads as a raw
 * file of the image's few bytes, so a `vm list` or `vol-info` right after `vm create` would show a
 * 192 KiB disk. Measured on the build machine, the volume asked right after the upload:
 * - idle: stale 0 times in 100;
 * - three busy loops running: stale 9 times in 100.
 * So the volume is asked every 2 ms, and after 25 tries the pool is refreshed here.
 */
export async function untilRefreshed(t: RefreshTarget, capacity: bigint): Promise<void> {
  for (let i = 0; i < POLLS; i++) {
    if ((await t.volume.info()).capacity === capacity) return;
    await sleep(POLL_MS);
  }
  await t.pool.refresh();
}
