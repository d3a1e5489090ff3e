import { describe, expect, it } from 'vitest';
import { hostHref, hostParam, isLocalUri } from './page';

describe('host page address', () => {
  it('reads ?host=ID; empty or missing is the first host', () => {
    expect(hostParam('?host=lab%201')).toBe('lab 1');
    expect(hostParam('?host=')).toBeUndefined();
    expect(hostParam('')).toBeUndefined();
    expect(hostHref('a', 'a')).toBe('/host');
    expect(hostHref('lab 1', 'a')).toBe('/host?host=lab%201');
  });
  it('local URIs are the unix socket on this machine; anything with a host or transport is remote', () => {
    expect(isLocalUri('qemu:///system')).toBe(true);
    expect(isLocalUri('qemu+unix:///system?socket=/run/x')).toBe(true);
    expect(isLocalUri('qemu+ssh://root@lab/system')).toBe(false);
    expect(isLocalUri('qemu+tcp://127.0.0.1:9/system')).toBe(false);
    expect(isLocalUri('qemu://localhost/system')).toBe(false);
    expect(isLocalUri('garbage')).toBe(false);
  });
});
