import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Domain, Libvirt } from '../libvirt/index.js';
import { ErrorCode, LibvirtError } from '../libvirt/index.js';
import { VmBusyError, VmNotFoundError } from './errors.js';
import { lockPath, withNewVmLock, withVmLock } from './vm-lock.js';

// The lock needs the connection's URI, the VM's name and UUID, and a lookup by UUID that finds it.
const lv = { requestedUri: 'qemu:///system', domains: { lookup: async () => ({}) } } as unknown as Libvirt;
const vm = (uuid: string) => ({ name: 'web', uuid }) as Domain;
const web = vm('6f1c1b32-3f6e-4f43-9d0e-0b8a3d8c0a01');

describe('per-VM lock', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'phyllo-lock-'));
    process.env.PHYLLO_LOCK_DIR = dir;
  });
  after(() => {
    delete process.env.PHYLLO_LOCK_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second operation on the same VM is refused with operation-in-progress naming the first', async () => {
    let release!: () => void;
    const first = withVmLock(lv, web, 'vm shutdown', () => new Promise<void>((r) => (release = r)));
    await assert.rejects(
      withVmLock(lv, web, 'vm start', async () => 'ran'),
      (e: unknown) => {
        assert.ok(e instanceof VmBusyError);
        assert.equal(e.code, 'operation-in-progress');
        assert.match(e.message, /"vm shutdown" is running on it \(process \d+\)/);
        assert.deepEqual([e.toJSON().operation, e.toJSON().pid], ['vm shutdown', process.pid]);
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
    const far = { ...lv, requestedUri: 'qemu+ssh://far/system' } as Libvirt;
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

  it('a VM deleted before the lock was taken gives vm-not-found, and nothing runs', async () => {
    const noDomain = new LibvirtError({
      code: ErrorCode.NO_DOMAIN,
      domain: 10,
      message: 'Domain not found',
      level: 2,
      dom: null,
      str1: null,
      str2: null,
      str3: null,
      int1: -1,
      int2: -1,
      net: null,
    });
    const gone = { ...lv, domains: { lookup: () => Promise.reject(noDomain) } } as unknown as Libvirt;
    let ran = false;
    await assert.rejects(
      withVmLock(gone, web, 'vm start', async () => (ran = true)),
      (e: unknown) => e instanceof VmNotFoundError && /no VM named "web"/.test(e.message),
    );
    assert.equal(ran, false);
    assert.deepEqual(readdirSync(dir), [], 'the lock is released');
    // The lock of a VM being made looks nothing up.
    assert.equal(await withNewVmLock(gone, web, 'vm clone', async () => 5), 5);
  });

  it('a lock left by a process that died is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(lockPath(lv, web), JSON.stringify({ pid, operation: 'vm clone', token: 'gone' }));
    assert.equal(await withVmLock(lv, web, 'vm start', async () => 4), 4);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('processes racing for it, with holders that die, never hold it at once', async () => {
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    );
    const stress = vm('6f1c1b32-3f6e-4f43-9d0e-0b8a3d8c0a03');
    // Each worker takes the lock 300 times; inside, it makes a marker file that only one process can
    // make at a time ('wx'). Every 4th time it "dies" holding it: the lock is atomically replaced by
    // one naming a dead process, and left behind for the others to take over.
    const worker = `
      import { renameSync, rmSync, writeFileSync } from 'node:fs';
      const { lockPath, withVmLock } = await import(${JSON.stringify(new URL('./vm-lock.js', import.meta.url).href)});
      const lv = { requestedUri: 'qemu:///system', domains: { lookup: async () => ({}) } };
      const dom = ${JSON.stringify(stress)};
      const inside = ${JSON.stringify(join(dir, 'inside'))};
      const n = { held: 0, busy: 0, overlaps: 0 };
      for (let i = 0; i < 300; i++) {
        await withVmLock(lv, dom, 'stress', async () => {
          try { writeFileSync(inside, '', { flag: 'wx' }); } catch { n.overlaps++; return; }
          n.held++;
          await new Promise((r) => setImmediate(r));
          rmSync(inside);
          if (i % 4 === 0) {
            const tmp = lockPath(lv, dom) + '.crash-' + process.pid;
            writeFileSync(tmp, JSON.stringify({ pid: ${dead}, operation: 'crashed', token: 'dead-' + process.pid + '-' + i }));
            renameSync(tmp, lockPath(lv, dom));
          }
        }).catch((e) => { if (e.code !== 'operation-in-progress') throw e; n.busy++; });
      }
      process.stdout.write(JSON.stringify(n));
    `;
    const exec = promisify(execFile);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => exec(process.execPath, ['--input-type=module', '-e', worker])),
    );
    const counts = runs.map((r) => JSON.parse(r.stdout) as { held: number; busy: number; overlaps: number });
    assert.deepEqual(
      counts.map((c) => c.overlaps),
      [0, 0, 0, 0],
      `two processes held the lock at once: ${JSON.stringify(counts)}`,
    );
    assert.ok(
      counts.every((c) => c.held > 0),
      `every worker got the lock sometimes: ${JSON.stringify(counts)}`,
    );
    assert.ok(
      counts.some((c) => c.busy > 0),
      `the workers did contend: ${JSON.stringify(counts)}`,
    );
  });
});
