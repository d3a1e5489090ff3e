import { describe, expect, it } from 'vitest';
import { consoleUrl, endStatus, isKeyboardRelease, statusWord, vncRefusal } from './console-state';

const http = { protocol: 'http:', host: '127.0.0.1:8006' };

describe('consoleUrl', () => {
  it('is the page’s origin over ws, or wss under https, with the host and the name escaped', () => {
    expect(consoleUrl('vnc', 'system', 'web', http)).toBe('ws://127.0.0.1:8006/api/vms/web/vnc?host=system');
    expect(consoleUrl('serial', 'h 2', 'a b', { protocol: 'https:', host: 'x.example' })).toBe(
      'wss://x.example/api/vms/a%20b/serial?host=h+2',
    );
  });
  it('takes the serial console over with force=true', () => {
    expect(consoleUrl('serial', 'system', 'web', http, true)).toBe(
      'ws://127.0.0.1:8006/api/vms/web/serial?host=system&force=true',
    );
  });
});

describe('endStatus', () => {
  it('says the VM stopped when the server closes with vm-stopped', () => {
    for (const kind of ['vnc', 'serial'] as const)
      expect(endStatus(kind, { code: 1000, reason: 'vm-stopped', opened: true })).toEqual({
        state: 'disconnected',
        message: 'The VM stopped.',
        takeOver: false,
        vmStopped: true,
      });
  });
  it('offers to take over a serial console that was taken, or refused before it opened', () => {
    const taken = endStatus('serial', { code: 1000, reason: 'console-closed', opened: true });
    expect(taken.takeOver).toBe(true);
    expect(taken.message).toMatch(/took it over/);
    const refused = endStatus('serial', { code: 1006, reason: '', opened: false });
    expect(refused.takeOver).toBe(true);
    expect(refused.message).toMatch(/another session may hold it/);
  });
  it('never offers to take over VNC (it is shared)', () => {
    expect(endStatus('vnc', { code: 1000, reason: 'console-closed', opened: true })).toMatchObject({
      takeOver: false,
      message: 'The VNC server ended the connection.',
    });
    expect(endStatus('vnc', { code: 1006, reason: '', opened: false }).takeOver).toBe(false);
  });
  it('tells a lost connection, another reason, or the bare code', () => {
    expect(endStatus('vnc', { code: 1006, reason: '', opened: true }).message).toBe(
      'The connection to the server was lost.',
    );
    expect(endStatus('serial', { code: 1011, reason: 'no-session', opened: true }).message).toBe(
      'The connection closed: no-session.',
    );
    expect(endStatus('vnc', { code: 1001, reason: '', opened: true }).message).toBe(
      'The connection closed (code 1001).',
    );
  });
});

describe('statusWord', () => {
  it('names each state in words', () => {
    expect(statusWord({ state: 'connecting' })).toBe('connecting…');
    expect(statusWord({ state: 'connected' })).toBe('connected');
    expect(statusWord({ state: 'not-running' })).toBe('not running');
    expect(statusWord(endStatus('vnc', { code: 1000, reason: 'vm-stopped', opened: true }))).toBe(
      'disconnected',
    );
  });
});

describe('vncRefusal', () => {
  it('tells why from the VM’s displays', () => {
    expect(vncRefusal(undefined).message).toMatch(/could not be read/);
    expect(vncRefusal({ running: false, displays: [] }).message).toBe('The VM is not running.');
    expect(vncRefusal({ running: true, displays: [] }).message).toBe('This VM has no display.');
    const spice = vncRefusal({
      running: true,
      displays: [{ type: 'spice', address: 'spice://127.0.0.1:5900' }],
    });
    expect(spice).toEqual({ message: expect.stringMatching(/SPICE.*remote-viewer/), spice: true });
    expect(vncRefusal({ running: true, displays: [{ type: 'vnc', socket: '/x' }] }).message).toMatch(
      /could not reach it/,
    );
  });
});

describe('isKeyboardRelease', () => {
  const key = (k: Partial<Parameters<typeof isKeyboardRelease>[0]>) =>
    isKeyboardRelease({ key: '', code: '', ctrlKey: false, altKey: false, metaKey: false, ...k });
  it('is Ctrl+], by the key’s place or by what it types', () => {
    expect(key({ ctrlKey: true, code: 'BracketRight', key: ']' })).toBe(true);
    expect(key({ ctrlKey: true, code: 'BracketRight', key: '+' })).toBe(true);
    expect(key({ ctrlKey: true, code: 'Digit9', key: ']' })).toBe(true);
  });
  it('leaves every other key to the guest: Tab, ] alone, Ctrl+[, with Alt or Meta', () => {
    expect(key({ code: 'Tab', key: 'Tab' })).toBe(false);
    expect(key({ ctrlKey: true, code: 'Tab', key: 'Tab' })).toBe(false);
    expect(key({ code: 'BracketRight', key: ']' })).toBe(false);
    expect(key({ ctrlKey: true, code: 'BracketLeft', key: '[' })).toBe(false);
    expect(key({ ctrlKey: true, altKey: true, code: 'BracketRight', key: ']' })).toBe(false);
    expect(key({ ctrlKey: true, metaKey: true, code: 'BracketRight', key: ']' })).toBe(false);
  });
});
