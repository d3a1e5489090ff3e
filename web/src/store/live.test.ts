import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../api/types';
import { Live, type LiveDeps } from './live';
import { Store } from './store';

/** A Live whose world is recorded: every read in order; the socket never opens. */
function recorded() {
  const calls: string[] = [];
  const host: HostSummary = { id: 'local', uri: 'qemu:///system', connected: true };
  const deps: Partial<LiveDeps> = {
    openSocket: () => ({ addEventListener: () => undefined, close: () => undefined }) as unknown as WebSocket,
    eventsUrl: () => 'ws://test/api/events',
    listHosts: async () => (calls.push('hosts'), [host]),
    listVms: async (h) => (calls.push(`vms ${h}`), []),
    listJobs: async () => (calls.push('jobs'), []),
    listPreloaded: async () => (calls.push('preloaded'), []),
  };
  const store = new Store();
  return { calls, host, store, live: new Live(store, deps) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Live.start', () => {
  it('without hosts reads them first, then each host’s VMs', async () => {
    const { calls, live, store } = recorded();
    live.start();
    await settle();
    live.stop();
    expect(calls[0]).toBe('hosts');
    expect(calls).toContain('vms local');
    expect(store.get().hosts.map((h) => h.id)).toEqual(['local']);
  });

  it('with the hosts the login check read, asks for the VMs at once and not for the hosts again', async () => {
    const { calls, live, store, host } = recorded();
    live.start([host]);
    expect(store.get().hosts).toEqual([host]);
    await settle();
    live.stop();
    expect(calls).not.toContain('hosts');
    expect(calls).toContain('vms local');
    expect(calls).not.toContain('preloaded');
  });

  it('with the session there at page load, the first host’s first read is the preloaded request, later ones are not', async () => {
    const { calls, live, host } = recorded();
    live.start([host], { preloaded: true });
    await settle();
    expect(calls.filter((c) => c.startsWith('vms') || c === 'preloaded')).toEqual(['preloaded']);
    await live.refresh('local');
    live.stop();
    expect(calls.filter((c) => c.startsWith('vms') || c === 'preloaded')).toEqual(['preloaded', 'vms local']);
  });
});
