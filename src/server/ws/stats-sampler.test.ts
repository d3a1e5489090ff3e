import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Domain, Libvirt } from '../../libvirt/index.js';
import type { Hosts } from '../hosts.js';
import { waitFor } from '../../../test/support/wait.js';
import { StatsSampler } from './stats-sampler.js';
import type { StatsSample } from './stats-sample.js';

/** A host whose stats calls are counted: each names the domains it was asked for. */
function fakeHost(vms: string[]) {
  const calls: string[][] = [];
  let cpu = 0;
  const dom = (name: string) => ({ name, uuid: `uuid-${name}` }) as unknown as Domain;
  const lv = {
    connected: true,
    requestedUri: 'qemu:///system',
    domains: {
      lookup: async (name: string) => {
        if (!vms.includes(name))
          throw Object.assign(new Error(`Domain not found: ${name}`), { libvirtCode: 42 });
        return dom(name);
      },
    },
    allDomainStats: async (_stats: number, _flags: number, doms: Domain[]) => {
      calls.push(doms.map((d) => d.name));
      cpu += 1e8;
      return doms.map((d) => ({
        domain: d,
        values: { 'state.state': 1, 'cpu.time': BigInt(cpu), 'vcpu.current': 1, 'balloon.rss': 1024n },
      }));
    },
  } as unknown as Libvirt;
  const hosts = {
    get: async (id?: string) => ({ id: id ?? 'local', uri: 'qemu:///system', lv }),
    ids: () => ['local'],
  } as unknown as Hosts;
  return { hosts, calls };
}

describe('StatsSampler', () => {
  it('one stats call per tick for all watched VMs of a host; each sample to its subscribers; none once the last leaves', async () => {
    const { hosts, calls } = fakeHost(['a', 'b']);
    const got: [string, string, StatsSample][] = [];
    const s = new StatsSampler<string>(
      hosts,
      (series, sample) => {
        for (const who of series.subscribers) got.push([who, series.vm, sample]);
      },
      { intervalMs: 20, keepMs: 10_000 },
    );
    try {
      const first = await s.subscribe(undefined, 'a', 'alice');
      assert.deepEqual([first.host, first.vm, first.history, first.added], ['local', 'a', [], true]);
      await s.subscribe('local', 'b', 'bob');
      await waitFor('a stats call for both VMs, and samples for both subscribers', () =>
        calls.some((c) => c.length === 2) &&
        got.some(([w]) => w === 'bob') &&
        got.some(([w]) => w === 'alice')
          ? true
          : undefined,
      );
      assert.ok(
        calls.every((c) => new Set(c).size === c.length),
        'each VM once per call',
      );
      assert.ok(
        got.every(([who, vm]) => (who === 'alice') === (vm === 'a')),
        'each sample to its own subscribers',
      );
      assert.deepEqual(s.sampling(), { local: ['a', 'b'] });

      assert.deepEqual(s.unsubscribe(undefined, 'a', 'alice'), { host: 'local', vm: 'a' });
      assert.equal(s.unsubscribe(undefined, 'a', 'alice'), undefined, 'not a subscriber any more');
      s.unsubscribeAll('bob');
      assert.deepEqual(s.sampling(), {});
      const n = calls.length;
      await sleep(100);
      assert.equal(calls.length, n, 'no stats calls while nobody subscribes');

      const kept = got.filter(([, vm]) => vm === 'a').length;
      const again = await s.subscribe(undefined, 'a', 'carol');
      assert.equal(again.history.length, kept, 'every sample taken before is history');
      assert.equal(again.history[0]!.cpuPercent, null, 'the first sample has no rate');
      await assert.rejects(s.subscribe(undefined, 'nope', 'carol'), /not found|no VM/i);
    } finally {
      s.close();
    }
  });
});
