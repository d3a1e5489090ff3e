// A subscription closed and a new one of the same kind opened at once: the deregistration of the old
// callback is still on its way when the new one is asked for, and libvirt refuses a second callback of
// one kind on a connection ("event callback already tracked"). The client waits for the old one to go.
import { test } from 'node:test';
import { isRoot, openSystem } from './helpers.js';

test(
  'lifecycle events: close and subscribe again at once, many times',
  { skip: !isRoot && 'needs root' },
  async () => {
    const lv = await openSystem();
    try {
      for (let i = 0; i < 30; i++) {
        const sub = await lv.events.lifecycle();
        sub.close();
      }
      const last = await lv.events.lifecycle();
      last.close();
    } finally {
      await lv.close();
    }
  },
);
