import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Domain, Libvirt } from '../libvirt/index.js';
import { VmBusyError } from './errors.js';
import { lockPath, withVmLock } from './vm-lock.js';

// The lock needs only the connection's URI and the VM's name and UUID.
const lv = { requestedUri: 'qemu:///system' } as Libvirt;
const vm = (uuid: string) => ({ name: 'web', uuid }) as Domain;
const web = vm('6f1c1b32-3f6e-4f43-9d0e-0b8a3d8c0a01');

describe('per-VM lock', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'phyllo-lock-'));
    process.env.PHYLLO_LOCK_DIR = dir;
  });
  after(() => delete process.env.PHYLLO_LOCK_DIR);

  it('a second operation on the same VM is refused with operation-in-progress naming the first', async () => {
    let release!: () => void;
    const first = withVmLock(lv, web, 'vm shutdown', () => new Promise<void>((r) => (release = r)));
    await assert.rejects(
      withVmLock(lv, web, 'vm start', async () => 'ran'),
      (e: unknown) => {
        assert.ok(e instanceof VmBusyError);
        assert.equal(e.code, 'operation-in-progress');
        assert.match(e.message, /"vm shutdown" is running on it \(process \d+\)/);
        return true;
      },
    );
    release();
    await first;
    assert.equal(await withVmLock(lv, web, 'vm start', async () => 'ran'), 'ran');
    assert.deepEqual(readdirSync(dir), [], 'no lock or temporary file is left');
  });

  it('another VM, or the same UUID on another daemon, is not held up', async () => {
    let release!: () => void;
    const first = withVmLock(lv, web, 'vm clone', () => new Promise<void>((r) => (release = r)));
    const other = vm('6f1c1b32-3f6e-4f43-9d0e-0b8a3d8c0a02');
    assert.equal(await withVmLock(lv, other, 'vm start', async () => 1), 1);
    const far = { requestedUri: 'qemu+ssh://far/system' } as Libvirt;
    assert.equal(await withVmLock(far, web, 'vm start', async () => 2), 2);
    release();
    await first;
  });

  it('the lock is released when the operation throws', async () => {
    await assert.rejects(
      withVmLock(lv, web, 'vm start', async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await withVmLock(lv, web, 'vm start', async () => 3), 3);
  });

  it('a lock left by a process that died is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(lockPath(lv, web), JSON.stringify({ pid, operation: 'vm clone', token: 'gone' }));
    assert.equal(await withVmLock(lv, web, 'vm start', async () => 4), 4);
    assert.deepEqual(readdirSync(dir), []);
  });
});
