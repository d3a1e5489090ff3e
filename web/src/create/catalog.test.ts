import { describe, expect, it } from 'vitest';
import type { OsList } from '../api/types';
import { defaultText, isWindows, searchOs, topicLabel } from './catalog';

const list: OsList = {
  profiles: [
    { id: 'linux', name: 'Linux (kernel 5.15 or newer)', family: 'linux', osinfo: 'linux2022' },
    { id: 'windows-11', name: 'Windows 11', family: 'windows', osinfo: 'win11' },
  ],
  osinfo: [
    { shortId: 'debian11', name: 'Debian 11', family: 'linux' },
    { shortId: 'debian12', name: 'Debian 12', family: 'linux' },
    { shortId: 'win11', name: 'Microsoft Windows 11', family: 'winnt' },
  ],
};

describe('searchOs', () => {
  it('shows every profile and no osinfo entry without a query', () => {
    const r = searchOs(list, '  ');
    expect(r.profiles.map((c) => c.id)).toEqual(['linux', 'windows-11']);
    expect(r.osinfo).toEqual([]);
  });
  it('matches every word in id or name, exact ids first, and counts what it leaves off', () => {
    expect(searchOs(list, 'windows 11').profiles.map((c) => c.id)).toEqual(['windows-11']);
    expect(searchOs(list, 'windows 11').osinfo.map((c) => c.id)).toEqual(['win11']);
    expect(searchOs(list, 'DEBIAN12').osinfo.map((c) => c.id)).toEqual(['debian12']);
    const limited = searchOs(list, 'debian', 1);
    expect(limited.osinfo).toHaveLength(1);
    expect(limited.more).toBe(1);
    expect(searchOs(undefined, 'x')).toEqual({ profiles: [], osinfo: [], more: 0 });
  });
});

describe('defaultText', () => {
  it('gives a field’s default with its reason', () => {
    const d = [{ topic: 'memory', choice: '4096 MiB', reason: 'recommended for Linux' }];
    expect(defaultText(d, 'memory')).toBe('4096 MiB — recommended for Linux');
    expect(defaultText(d, 'vcpus')).toBeUndefined();
    expect(defaultText(undefined, 'memory')).toBeUndefined();
  });
});

describe('labels', () => {
  it('words a topic; tells Windows', () => {
    expect(topicLabel('domain-type')).toBe('Domain type');
    expect(isWindows('windows-11')).toBe(true);
    expect(isWindows('win2k22')).toBe(true);
    expect(isWindows('linux')).toBe(false);
  });
});
