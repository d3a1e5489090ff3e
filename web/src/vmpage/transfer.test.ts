import { describe, expect, it } from 'vitest';
import type { Job } from '../api/types';
import { bundleFileName, exportHref, latestJob, moveTargets, transferBlocked } from './transfer';

const job = (id: string, kind: string, vm: string, startedAt: string, host = 'local'): Job => ({
  id,
  kind,
  host,
  vm,
  state: 'running',
  progress: { phase: 'disk data', done: 0, unit: 'bytes' },
  startedAt,
});

describe('export', () => {
  it('links the download with the host and the compression, the name escaped', () => {
    expect(exportHref('local', 'web', 'zstd')).toBe('/api/vms/web/export?host=local&compress=zstd');
    expect(exportHref('b', 'a b', 'none')).toBe('/api/vms/a%20b/export?host=b&compress=none');
    expect(bundleFileName('web', 'zstd')).toBe('web.phyllo.tar.zst');
    expect(bundleFileName('web', 'none')).toBe('web.phyllo.tar');
  });

  it('is blocked, with the reason, unless the VM is shut off', () => {
    expect(transferBlocked('web', 'shutoff', 'Exporting')).toBeUndefined();
    expect(transferBlocked('web', 'running', 'Exporting')).toMatch(
      /^Exporting needs web shut off.*shut it down first/,
    );
    expect(transferBlocked('web', 'paused', 'Moving')).toMatch(/^Moving needs web shut off/);
    expect(transferBlocked('web', undefined, 'Exporting')).toMatch(/not known/);
  });

  it('finds the newest job of a kind on this VM, on this host', () => {
    const jobs = {
      a: job('a', 'export', 'web', '2024-01-01T10:00:00Z'),
      b: job('b', 'export', 'web', '2024-01-01T11:00:00Z'),
      c: job('c', 'export', 'db', '2024-01-01T12:00:00Z'),
      d: job('d', 'move', 'web', '2024-01-01T13:00:00Z'),
      e: job('e', 'export', 'web', '2024-01-01T14:00:00Z', 'other'),
    };
    expect(latestJob(jobs, 'export', 'local', 'web')?.id).toBe('b');
    expect(latestJob(jobs, 'move', 'local', 'web')?.id).toBe('d');
    expect(latestJob({}, 'export', 'local', 'web')).toBeUndefined();
  });
});

describe('move', () => {
  it('offers the other connected hosts', () => {
    const hosts = [
      { id: 'local', uri: 'qemu:///system', connected: true },
      { id: 'b', uri: 'qemu+tcp://b/system', connected: true },
      { id: 'c', uri: 'qemu+tcp://c/system', connected: false },
    ];
    expect(moveTargets(hosts, 'local').map((h) => h.id)).toEqual(['b']);
    expect(moveTargets(hosts, 'b').map((h) => h.id)).toEqual(['local']);
    expect(moveTargets(hosts.slice(0, 1), 'local')).toEqual([]);
  });
});
