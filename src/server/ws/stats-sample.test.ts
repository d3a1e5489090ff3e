import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VmCounters } from '../../machines/vm-counters.js';
import { sampleOf } from './stats-sample.js';

const counters = (over: Partial<VmCounters> = {}): VmCounters => ({
  name: 'web',
  uuid: 'u',
  state: 'running',
  vcpus: 2,
  cpuTimeNs: 1_000_000_000,
  memoryBytes: 1024 * 1024 * 1024,
  memoryRssBytes: 256 * 1024 * 1024,
  diskReadBytes: 0,
  diskWriteBytes: 0,
  netRxBytes: 0,
  netTxBytes: 0,
  ...over,
});

describe('stats samples', () => {
  it('the first sample has state and memory but no rates; the next one rates per second', () => {
    const at = new Date('2024-05-01T10:00:00Z');
    const r0 = { counters: counters(), atMs: 10_000 };
    assert.deepEqual(sampleOf(r0, undefined, at), {
      at: '2024-05-01T10:00:00.000Z',
      state: 'running',
      vcpus: 2,
      cpuPercent: null,
      memoryBytes: 1073741824,
      memoryInUseBytes: 268435456,
      diskReadBytesPerSecond: null,
      diskWriteBytesPerSecond: null,
      netRxBytesPerSecond: null,
      netTxBytesPerSecond: null,
    });
    // 2 s later: 1 s of CPU over 2 vCPUs = 25 %; 4096 bytes read = 2048 B/s, and so on.
    const r1 = {
      counters: counters({
        cpuTimeNs: 2_000_000_000,
        diskReadBytes: 4096,
        diskWriteBytes: 8192,
        netRxBytes: 2000,
        netTxBytes: 1000,
      }),
      atMs: 12_000,
    };
    const next = sampleOf(r1, r0, at);
    assert.equal(next.cpuPercent, 25);
    assert.equal(next.diskReadBytesPerSecond, 2048);
    assert.equal(next.diskWriteBytesPerSecond, 4096);
    assert.equal(next.netRxBytesPerSecond, 1000);
    assert.equal(next.netTxBytesPerSecond, 500);
  });

  it('a shut-off VM has no rates; counters that went down (QEMU started again) give none either', () => {
    const off = (atMs: number) => ({
      counters: counters({ state: 'shutoff', cpuTimeNs: null, memoryRssBytes: null, vcpus: null }),
      atMs,
    });
    const s = sampleOf(off(2000), off(1000), new Date());
    assert.equal(s.state, 'shutoff');
    assert.equal(s.cpuPercent, null);
    assert.equal(s.memoryInUseBytes, null);
    assert.equal(s.diskReadBytesPerSecond, null);
    const high = {
      counters: counters({ cpuTimeNs: 5e9, diskReadBytes: 9000, netRxBytes: 9000 }),
      atMs: 1000,
    };
    const low = { counters: counters({ cpuTimeNs: 1000, diskReadBytes: 10, netRxBytes: 10 }), atMs: 2000 };
    const r = sampleOf(low, high, new Date());
    assert.equal(r.cpuPercent, null);
    assert.equal(r.diskReadBytesPerSecond, null);
    assert.equal(r.netRxBytesPerSecond, null);
  });
});
