/**
 * qemu:///session for a non-root user (autostarted daemon), and a daemon killed mid-call:
 * the pending call fails with a typed error and a reconnecting client resumes events.
 * Runs a child node process as the `phyllotest` user with its own XDG_RUNTIME_DIR.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isRoot, openSystem } from './helpers.js';

const run = promisify(execFile);
const USER = 'phyllotest';
const skip = !isRoot
  ? 'needs root (to create and become the test user)'
  : !existsSync('/usr/sbin/libvirtd')
    ? 'needs libvirtd'
    : false;
let runtimeDir: string;
let uid = 0;
let gid = 0;

before(() => {
  if (skip) return;
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', USER]);
  }
  uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  runtimeDir = mkdtempSync(join(tmpdir(), 'phyllo-xdg-'));
  chownSync(runtimeDir, uid, gid);
});

after(() => {
  if (skip) return;
  // Stop the session daemon this test started (by its pid file), then remove its runtime dir.
  const pidFile = join(runtimeDir, 'libvirt', 'libvirtd.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      if (pid > 0) process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(runtimeDir, { recursive: true, force: true });
});

test(
  'session daemon autostarts for a non-root user; a kill mid-call rejects it, and events resume after reconnect',
  { skip },
  async () => {
    const child = join(dirname(fileURLToPath(import.meta.url)), 'session-child.js');
    const home = execFileSync('sh', ['-c', `getent passwd ${USER} | cut -d: -f6`])
      .toString()
      .trim();
    const { stdout } = await run(
      'runuser',
      [
        '-u',
        USER,
        '--',
        'env',
        '-i',
        `HOME=${home}`,
        `XDG_RUNTIME_DIR=${runtimeDir}`,
        `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`,
        process.execPath,
        child,
      ],
      { maxBuffer: 1024 * 1024 },
    );
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal(r.uri, 'qemu:///session');
    const lv = await openSystem();
    try {
      assert.equal(r.hostname, await lv.hostname());
      assert.equal(r.libVersion, (await lv.libVersion()).number);
    } finally {
      await lv.close();
    }
    assert.ok(
      existsSync(join(runtimeDir, 'libvirt', 'libvirt-sock')),
      'socket under the user’s XDG_RUNTIME_DIR',
    );
    assert.equal(
      r.pending,
      'libvirt-connection-closed',
      'the call pending when the daemon died was rejected',
    );
    assert.notEqual(r.pid2, r.pid1, 'a new daemon was autostarted on reconnect');
    assert.equal(r.hostnameAfter, r.hostname);
    assert.deepEqual(r.events, ['defined', 'undefined'], 'the re-registered subscription delivers events');
  },
);
