import { describe, expect, it } from 'vitest';
import {
  checkMediaPath,
  checkSnapshotName,
  checkVmName,
  jobFraction,
  memoryText,
  parseMemory,
  parseVcpus,
  settingsChanges,
  suggestCloneName,
} from './forms';

const GiB = 2 ** 30;

describe('parseMemory', () => {
  it('reads sizes as the CLI does: powers of 1024, KB/MB/GB of 1000, bare MiB', () => {
    expect(parseMemory('4G')).toEqual({ ok: true, value: 4 * GiB });
    expect(parseMemory('1536M')).toEqual({ ok: true, value: 1536 * 2 ** 20 });
    expect(parseMemory('1.5 GiB')).toEqual({ ok: true, value: 1.5 * GiB });
    expect(parseMemory('2048')).toEqual({ ok: true, value: 2 * GiB });
    expect(parseMemory('1GB')).toEqual({ ok: true, value: 1e9 });
  });
  it('refuses what is no size, or too small, in the server’s words (src/model/size.ts)', () => {
    const bad = parseMemory('four gigs');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(
      /^Memory must be a size, not "four gigs"\. Use .*4G.*a bare number is in MiB\.$/,
    );
    const small = parseMemory('512K');
    expect(!small.ok && small.error).toMatch(/^Memory must be at least 1 MiB; "512K" is 524288 bytes\. /);
    expect(parseMemory('4X').ok).toBe(false);
    expect(parseMemory('').ok).toBe(false);
    expect(parseMemory('512K').ok).toBe(false);
  });
});

describe('parseVcpus', () => {
  it('takes whole numbers from 1', () => {
    expect(parseVcpus(' 4 ')).toEqual({ ok: true, value: 4 });
    expect(parseVcpus('0').ok).toBe(false);
    expect(parseVcpus('1.5').ok).toBe(false);
    expect(parseVcpus('x').ok).toBe(false);
  });
});

describe('names and paths', () => {
  it('checks a VM name as the server does', () => {
    expect(checkVmName('web-2').ok).toBe(true);
    expect(checkVmName('').ok).toBe(false);
    const dash = checkVmName('-web');
    expect(!dash.ok && dash.error).toMatch(/start with "-"/);
    const space = checkVmName('my vm');
    expect(!space.ok && space.error).toMatch(/" "/);
    expect(checkVmName('a'.repeat(64)).ok).toBe(false);
  });
  it('checks snapshot names and ISO paths', () => {
    expect(checkSnapshotName(' before update ')).toEqual({ ok: true, value: 'before update' });
    expect(checkSnapshotName('a<b').ok).toBe(false);
    expect(checkSnapshotName('').ok).toBe(false);
    expect(checkMediaPath('/var/lib/libvirt/images/x.iso').ok).toBe(true);
    expect(checkMediaPath('x.iso').ok).toBe(false);
  });
  it('suggests a free clone name', () => {
    expect(suggestCloneName('web', [])).toBe('web-clone');
    expect(suggestCloneName('web', ['web-clone', 'web-clone2'])).toBe('web-clone3');
    expect(suggestCloneName('a'.repeat(63), []).length).toBeLessThanOrEqual(63);
  });
});

describe('settingsChanges', () => {
  const current = { memoryBytes: GiB, vcpus: 1 };
  it('sends only what differs', () => {
    expect(settingsChanges({ memory: '2G', vcpus: '1' }, current)).toEqual({
      ok: true,
      value: { memory: '2G' },
    });
    expect(settingsChanges({ memory: '1024M', vcpus: '2' }, current)).toEqual({
      ok: true,
      value: { vcpus: 2 },
    });
  });
  it('says when nothing changes, and passes on a bad value', () => {
    const same = settingsChanges({ memory: '1G', vcpus: '1' }, current);
    expect(!same.ok && same.error).toMatch(/Nothing to change/);
    expect(settingsChanges({ memory: 'lots', vcpus: '1' }, current).ok).toBe(false);
  });
  it('gives the form its first values', () => {
    expect(memoryText(GiB)).toBe('1G');
    expect(memoryText(1536 * 2 ** 20)).toBe('1536M');
    expect(memoryText(null)).toBe('');
  });
});

describe('jobFraction', () => {
  it('is the share done, 1 when ended, unknown without a total', () => {
    expect(jobFraction({ done: 1, total: 4 }, false)).toBe(0.25);
    expect(jobFraction({ done: 0 }, false)).toBeUndefined();
    expect(jobFraction({ done: 0 }, true)).toBe(1);
  });
});
