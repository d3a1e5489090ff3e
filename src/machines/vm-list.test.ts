import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuPercent, entryFrom } from './vm-list.js';

const none = { os: null, uptimeSeconds: null, cpuPercent: null };

describe('vm list entries from all-domain stats', () => {
  it('a shut-off VM: state, vCPUs, memory and disk sums from the stats; no uptime or use', () => {
    const e = entryFrom(
      {
        name: 'web',
        uuid: 'u',
        values: {
          'state.state': 5,
          'cpu.time': 71590000000n,
          'balloon.maximum': 262144n,
          'vcpu.current': 2,
          'block.count': 2,
          'block.0.name': 'vda',
          'block.0.path': '/i/web.qcow2',
          'block.0.allocation': 200704n,
          'block.0.capacity': 33554432n,
          'block.1.name': 'sda',
        },
      },
      { os: 'debian12', uptimeSeconds: 99, cpuPercent: 5 },
    );
    assert.equal(e.state, 'shutoff');
    assert.equal(e.os, 'debian12');
    assert.equal(e.vcpus, 2);
    assert.equal(e.memoryBytes, 256 * 2 ** 20);
    assert.deepEqual(e.disks[1], { name: 'sda' });
    assert.equal(e.diskAllocationBytes, 200704);
    assert.equal(e.diskCapacityBytes, 33554432);
    assert.equal(e.uptimeSeconds, null, 'a stale value is not shown for a VM that is not running');
    assert.equal(e.cpuPercent, null);
    assert.equal(e.memoryInUseBytes, null);
  });

  it('a running VM: memory in use is the QEMU process’s RSS; unknown stats stay null', () => {
    const e = entryFrom(
      { name: 'r', uuid: 'u', values: { 'state.state': 1, 'balloon.rss': 1024n } },
      { ...none, uptimeSeconds: 7 },
    );
    assert.equal(e.memoryInUseBytes, 2 ** 20);
    assert.equal(e.uptimeSeconds, 7);
    assert.equal(e.vcpus, null);
    assert.equal(e.memoryBytes, null);
    assert.equal(e.diskCapacityBytes, null);
  });

  it('CPU % is cpu.time growth over the wall time between the samples, per vCPU', () => {
    // 0.5 s of wall time, 0.5 s of CPU on 2 vCPUs: 50 %.
    assert.equal(cpuPercent({ cpuTimeNs: 1e9, atMs: 1000 }, { cpuTimeNs: 1.5e9, atMs: 1500 }, 2), 50);
    assert.equal(cpuPercent({ cpuTimeNs: 1e9, atMs: 1000 }, { cpuTimeNs: 1.25e9, atMs: 1500 }, 1), 50);
    assert.equal(
      cpuPercent({ cpuTimeNs: 2e9, atMs: 1000 }, { cpuTimeNs: 1e9, atMs: 1500 }, 1),
      null,
      'a restarted VM',
    );
    assert.equal(cpuPercent({ cpuTimeNs: 1e9, atMs: 1000 }, { cpuTimeNs: 1e9, atMs: 1000 }, 1), null);
  });
});
