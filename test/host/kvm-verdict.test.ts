import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvmVerdict } from '../../src/host/kvm-verdict.js';
import { FixtureSystem, type FixtureSystemSpec } from '../../src/host/fixture-system.js';
import { systemSpec, BOOTED } from '../fixtures/hosts/common.js';
import { PVM_HANG } from '../fixtures/hosts/this-machine.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-kvm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rootWithRelease(name: string, release: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
  mkdirSync(join(root, 'sys'), { recursive: true });
  writeFileSync(join(root, 'proc/sys/kernel/osrelease'), release + '\n');
  return root;
}

test('the boot test runs once, then the cached result is used until --retest', async () => {
  const cacheDir = join(dir, 'cache1');
  const root = rootWithRelease('r1', '6.18.44-fc-v657');
  const system = new FixtureSystem(systemSpec({ kvm: true, freeGiB: 50, bootTest: PVM_HANG }));
  const progress: string[] = [];
  const first = await kvmVerdict({ root, system, cacheDir, onProgress: (m) => progress.push(m) });
  assert.equal(first.state, 'broken');
  assert.equal(first.usable, false);
  assert.equal(first.cached, false);
  assert.equal(first.key, 'kernel=6.18.44-fc-v657 qemu=7.2.22 kvm=6:82:2792');
  assert.match(
    first.detail,
    /kernel never started within 8 s.*control: .*so the test guest is fine and KVM is what fails/,
  );
  assert.equal(system.bootTestsRun, 1);
  const second = await kvmVerdict({ root, system, cacheDir });
  assert.equal(second.cached, true);
  assert.equal(second.state, 'broken');
  assert.equal(second.testedAt, first.testedAt);
  assert.equal(system.bootTestsRun, 1);
  const third = await kvmVerdict({ root, system, cacheDir, retest: true });
  assert.equal(third.cached, false);
  assert.equal(system.bootTestsRun, 2);
  const cache = JSON.parse(readFileSync(join(cacheDir, 'kvm-boot-test.json'), 'utf8'));
  assert.deepEqual(Object.keys(cache.entries), [first.key]);
});

test('a new kernel, QEMU or /dev/kvm means a new test', async () => {
  const cacheDir = join(dir, 'cache2');
  const spec: FixtureSystemSpec = systemSpec({ kvm: true, freeGiB: 50, bootTest: BOOTED });
  const system = new FixtureSystem(spec);
  await kvmVerdict({ root: rootWithRelease('a', '6.1.0-18-amd64'), system, cacheDir });
  await kvmVerdict({ root: rootWithRelease('b', '6.1.0-19-amd64'), system, cacheDir });
  assert.equal(system.bootTestsRun, 2);
  const other = new FixtureSystem({ ...spec, identities: { '/dev/kvm': { dev: 6, ino: 99, rdev: 2792 } } });
  const v = await kvmVerdict({ root: rootWithRelease('a2', '6.1.0-18-amd64'), system: other, cacheDir });
  assert.equal(other.bootTestsRun, 1);
  assert.equal(v.state, 'works');
  assert.equal(v.usable, true);
});

test('a garbled cache is ignored; "could not test" is never cached', async () => {
  const cacheDir = join(dir, 'cache3');
  mkdirSync(cacheDir);
  writeFileSync(join(cacheDir, 'kvm-boot-test.json'), '{ not json');
  const root = rootWithRelease('g', '6.1.0-18-amd64');
  const notRun = new FixtureSystem({
    ...systemSpec({ kvm: true, freeGiB: 50 }),
    bootTest: { outcome: 'not-run', reason: 'no guest kernel to test with' },
  });
  const v1 = await kvmVerdict({ root, system: notRun, cacheDir });
  assert.equal(v1.state, 'unknown');
  assert.equal(v1.detail, 'no guest kernel to test with');
  await kvmVerdict({ root, system: notRun, cacheDir });
  assert.equal(notRun.bootTestsRun, 2);
});

test('no /dev/kvm or no QEMU: unavailable, without booting anything', async () => {
  const root = rootWithRelease('n', '6.1.0-18-amd64');
  const noKvm = new FixtureSystem(systemSpec({ kvm: false, freeGiB: 50 }));
  const v = await kvmVerdict({ root, system: noKvm, cacheDir: join(dir, 'cache4') });
  assert.equal(v.state, 'unavailable');
  assert.equal(noKvm.bootTestsRun, 0);
  const locked = new FixtureSystem({ ...systemSpec({ kvm: true, freeGiB: 50 }), openable: ['/dev/net/tun'] });
  const l = await kvmVerdict({ root, system: locked, cacheDir: join(dir, 'cache4') });
  assert.equal(l.state, 'unavailable');
  assert.match(l.summary, /cannot be opened by this user/);
  assert.equal(locked.bootTestsRun, 0);
  const noQemu = new FixtureSystem({ ...systemSpec({ kvm: true, freeGiB: 50 }), commands: {} });
  const w = await kvmVerdict({ root, system: noQemu, cacheDir: join(dir, 'cache4') });
  assert.equal(w.state, 'unavailable');
  assert.match(w.summary, /QEMU is not installed/);
});
