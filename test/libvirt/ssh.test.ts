/**
 * The SSH dialer for real: a private sshd on a free loopback port with a generated key, then
 * qemu+ssh:// to this host's system daemon, compared with the direct unix connection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, DialError, type Libvirt } from '../../src/libvirt/index.js';
import { portOpen } from '../support/port.js';
import { writeSshdConfig } from '../support/sshd-config.js';
import { isRoot, openSystem } from './helpers.js';

const SSHD = '/usr/sbin/sshd';
const skip = !isRoot ? 'needs root' : !existsSync(SSHD) ? 'needs OpenSSH server' : false;
let dir: string;
let port: number;
let sshd: ChildProcess | undefined;
let local: Libvirt;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(p));
    });
  });
}

async function waitListening(p: number): Promise<void> {
  for (;;) {
    if (sshd?.exitCode !== null && sshd?.exitCode !== undefined)
      throw new Error(`sshd exited with ${sshd.exitCode}`);
    if (await portOpen('127.0.0.1', p)) return;
    await sleep(50);
  }
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-sshd-'));
  port = await freePort();
  const config = writeSshdConfig(dir, '127.0.0.1', port);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  sshd = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitListening(port);
  local = await openSystem();
});

after(async () => {
  if (skip) return;
  if (sshd && sshd.exitCode === null) {
    const exited = new Promise((resolve) => sshd?.once('exit', resolve));
    sshd.kill('SIGTERM');
    await exited;
  }
  await local?.close();
  rmSync(dir, { recursive: true, force: true });
});

function sshUri(extra = ''): string {
  return `qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${join(dir, 'client_key')}&no_verify=1${extra}`;
}

test('qemu+ssh:// (virt-ssh-helper on the far side) answers like the unix socket', { skip }, async () => {
  const remote = await connect(sshUri());
  try {
    assert.equal(await remote.hostname(), await local.hostname());
    assert.deepEqual(await remote.libVersion(), await local.libVersion());
    assert.deepEqual(await remote.hypervisorVersion(), await local.hypervisorVersion());
    assert.equal(await remote.uri(), 'qemu:///system');
    assert.equal(await remote.capabilities(), await local.capabilities());
    // A stream over ssh too: the node info model string proves the 128-byte char[32] decode.
    assert.deepEqual(await remote.nodeInfo(), await local.nodeInfo());
  } finally {
    await remote.close();
  }
});

test('the netcat fallback (socket=…) reaches the same daemon', { skip }, async () => {
  const remote = await connect(sshUri('&socket=/var/run/libvirt/libvirt-sock'));
  try {
    assert.equal(await remote.hostname(), await local.hostname());
  } finally {
    await remote.close();
  }
});

test('a refused key is a DialError carrying ssh’s reason', { skip }, async () => {
  const otherKey = join(dir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
  await assert.rejects(
    connect(`qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${otherKey}&no_verify=1`),
    (err: unknown) => {
      assert.ok(err instanceof DialError, String(err));
      assert.match(err.message, /Permission denied/);
      return true;
    },
  );
});
