import { setTimeout as sleep } from 'node:timers/promises';

/** What libvirt starts and stops: a storage pool, a network. */
export interface Startable {
  start(): Promise<void>;
  isActive(): Promise<boolean>;
}

/**
 * Starts `it`, inactive when last seen; false when another client started it first, so it is that
 * client's to stop, not this one's (two `vm create`s at once on a new host). With `othersFirst` (it
 * was just defined by another client, whose to build and start) that client is given up to 5 s to do
 * so before this one tries.
 */
export async function startUnlessStarted(it: Startable, othersFirst = false): Promise<boolean> {
  const active = () => it.isActive().catch(() => false);
  for (let i = 0; othersFirst && i < 50; i++) {
    if (await active()) return false;
    await sleep(100);
  }
  try {
    await it.start();
    return true;
  } catch (err) {
    if (await active()) return false;
    throw err;
  }
}
