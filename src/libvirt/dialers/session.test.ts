import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonNotRunningError } from '../errors.js';
import { SessionDialer, sessionPaths, sessionRuntimeDir } from './session.js';

test('the session socket lives under XDG_RUNTIME_DIR, else ~/.cache', () => {
  assert.equal(sessionRuntimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/libvirt');
  assert.equal(sessionRuntimeDir({ HOME: '/home/u' }), '/home/u/.cache/libvirt');
  const p = sessionPaths({ XDG_RUNTIME_DIR: '/nonexistent-xdg' });
  assert.equal(p.socket, '/nonexistent-xdg/libvirt/libvirt-sock');
  assert.equal(p.daemon, '/usr/sbin/libvirtd');
  assert.equal(
    sessionPaths({ XDG_RUNTIME_DIR: '/nonexistent-xdg', LIBVIRTD_PATH: '/opt/ld' }).daemon,
    '/opt/ld',
  );
});

test('virtqemud-sock is preferred when it exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-xdg-'));
  try {
    mkdirSync(join(dir, 'libvirt'));
    writeFileSync(join(dir, 'libvirt', 'virtqemud-sock'), '');
    const p = sessionPaths({ XDG_RUNTIME_DIR: dir });
    assert.equal(p.socket, join(dir, 'libvirt', 'virtqemud-sock'));
    assert.equal(p.daemon, '/usr/sbin/virtqemud');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with autostart off, a missing daemon is a DaemonNotRunningError naming how to start it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-xdg-'));
  try {
    const d = new SessionDialer({ env: { XDG_RUNTIME_DIR: dir, LIBVIRT_AUTOSTART: '0' } });
    await assert.rejects(d.dial(), (err: unknown) => {
      assert.ok(err instanceof DaemonNotRunningError);
      assert.match(err.hint ?? '', /libvirtd --daemon --timeout=120/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
