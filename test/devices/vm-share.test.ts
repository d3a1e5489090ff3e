/**
 * `vm share` on the real system daemon: a virtiofs share (and the shared memfd memory libvirt 9.0
 * needs for it) goes into a shut-off VM's definition; a running VM with shared memory gets a share
 * hot-plugged (libvirt starts virtiofsd for it) and unplugged; one without waits for its next start
 * and says why; read-only is refused as libvirt 9.0 refuses it; every bad input changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as share } from '../../src/cli/commands/vm-share.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { ShareAddOutcome, ShareListOutcome, ShareRemoveOutcome } from '../../src/devices/share.js';
import { vmInfo } from '../../src/machines/vm-info.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';
import { testGuestCreateArgs, waitForReport } from '../support/test-guest.js';
import { waitFor } from '../support/wait.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const vm = uniqueName('share');
const plain = uniqueName('share-plain');

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });
const run = async <T>(positionals: string[], values: CommandContext['values'] = {}): Promise<T> =>
  (await share(ctx(positionals, values))).data as T;
const xml = async (name = vm, live = false) =>
  (await lv.domains.lookup(name)).xml(live ? 0 : DomainXmlFlags.INACTIVE);
const tags = (text: string) => [...text.matchAll(/<target dir='([^']+)'\/>/g)].map((m) => m[1]);

function createValues(name: string): CommandContext['values'] {
  const args = testGuestCreateArgs(name).slice(3);
  const values: CommandContext['values'] = {};
  for (let i = 0; i < args.length; i += 2) values[(args[i] as string).slice(2)] = args[i + 1];
  return values;
}

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-share-'));
  chmodSync(dir, 0o755);
  for (const d of ['data', 'more', 'late']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'file.txt'), 'not a directory');
  lv = await connect('qemu:///system');
  await create(ctx([vm], { ...createValues(vm), 'serial-log': join(dir, 'serial.log') }));
  await create(ctx([plain], { os: 'linux', memory: '1G', 'disk-size': 'none', display: 'none' }));
  // The model gives Linux guests shared memfd memory already; this one is made without, as a VM
  // from elsewhere would be.
  const text = await xml(plain);
  await lv.domains.define(text.replace(/<memoryBacking>[\s\S]*?<\/memoryBacking>/, ''));
  assert.doesNotMatch(await xml(plain), /<memoryBacking>/);
});
after(async () => {
  if (!isRoot) return;
  for (const n of [vm, plain]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'shut off: the share goes into the definition (a VM vm create made has shared memory)',
  { skip },
  async () => {
    const a = await run<ShareAddOutcome>([vm, join(dir, 'data')], { tag: 'data' });
    assert.equal(a.applies, 'next-start');
    assert.equal(a.sharedMemoryAdded, false);
    assert.equal(a.mount, 'mount -t virtiofs data /mnt');
    const text = await xml();
    assert.match(
      text,
      /<memoryBacking>\s*<source type='memfd'\/>\s*<access mode='shared'\/>\s*<\/memoryBacking>/,
    );
    assert.match(
      text,
      new RegExp(
        `<filesystem type='mount' accessmode='passthrough'>\\s*<driver type='virtiofs'/>\\s*<source dir='${join(dir, 'data')}'/>\\s*<target dir='data'/>`,
      ),
    );
    // The long form, for a second share.
    const b = await run<ShareAddOutcome>(['add', vm, join(dir, 'more')], { tag: 'more' });
    assert.equal(b.applies, 'next-start');
    const list = await run<ShareListOutcome>(['list', vm]);
    assert.deepEqual(list.shares, [
      { tag: 'data', dir: join(dir, 'data'), readonly: false, driver: 'virtiofs' },
      { tag: 'more', dir: join(dir, 'more'), readonly: false, driver: 'virtiofs' },
    ]);
    assert.deepEqual((await vmInfo(lv, vm)).shares, list.shares);
  },
);

test('bad input is a typed error and the definition stays as it was', { skip }, async () => {
  const before = await xml();
  await rejectsWith(
    run([vm, join(dir, 'absent')], { tag: 'x' }),
    'share-path-missing',
    /absent does not exist/,
  );
  await rejectsWith(
    run([vm, join(dir, 'file.txt')], { tag: 'x' }),
    'share-path-invalid',
    /is not a directory/,
  );
  await rejectsWith(
    run([vm, join(dir, 'late')], { tag: 'data' }),
    'share-tag-taken',
    /already shares .*data with the tag "data"/,
  );
  await rejectsWith(
    run([vm, join(dir, 'late')], { tag: 'bad tag' }),
    'invalid-input',
    /cannot be a share tag/,
  );
  await rejectsWith(run([vm, join(dir, 'late')], { tag: 'a'.repeat(37) }), 'invalid-input', /share tag/);
  await rejectsWith(run([vm, join(dir, 'late')]), 'invalid-input', /needs its tag/);
  await rejectsWith(
    run([vm, join(dir, 'late')], { tag: 'ro', readonly: true }),
    'share-readonly-unsupported',
    /virtiofs does not yet support read-only mode/,
    /Nothing was changed/,
  );
  await rejectsWith(run(['phyllo-no-such-vm', join(dir, 'late')], { tag: 'x' }), 'vm-not-found', /no VM/);
  await rejectsWith(
    run(['remove', vm, 'nope']),
    'share-not-found',
    /no shared folder with the tag "nope"/,
    /data/,
  );
  await rejectsWith(run(['list', vm, 'extra']), 'invalid-input', /expected vm share list NAME/);
  assert.equal(await xml(), before);
});

test(
  'running with shared memory: a share is hot-plugged (virtiofsd started) and unplugged',
  { skip },
  async (t) => {
    const dom = await lv.domains.lookup(vm);
    // A spare PCIe root port to hot-plug into (the VM's model adds none).
    const config = await dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE);
    await lv.domains.define(
      config.replace('</devices>', `<controller type='pci' model='pcie-root-port'/></devices>`),
    );
    await dom.start();
    t.after(() => dom.destroy().catch(() => undefined));
    await waitForReport(join(dir, 'serial.log'));
    assert.deepEqual(tags(await xml(vm, true)), ['data', 'more'], 'virtiofsd runs for both at start');
    const a = await run<ShareAddOutcome>([vm, join(dir, 'late')], { tag: 'late' });
    assert.equal(a.applies, 'now', a.detail);
    assert.deepEqual(tags(await xml(vm, true)), ['data', 'more', 'late']);
    assert.deepEqual(tags(await xml()), ['data', 'more', 'late']);
    const r = await run<ShareRemoveOutcome>(['remove', vm, 'late']);
    assert.equal(r.applies, 'now');
    assert.equal(r.removed.dir, join(dir, 'late'));
    assert.deepEqual(tags(await xml()), ['data', 'more']);
    await waitFor(
      'the guest releasing the share',
      async () => (tags(await xml(vm, true)).includes('late') ? undefined : true),
      { limitMs: 60_000, everyMs: 500 },
    );
  },
);

test('running without shared memory: the share waits for the next start, saying why', { skip }, async (t) => {
  const dom = await lv.domains.lookup(plain);
  await dom.start();
  t.after(() => dom.destroy().catch(() => undefined));
  const a = await run<ShareAddOutcome>([plain, join(dir, 'data')], { tag: 'data' });
  assert.equal(a.applies, 'next-start');
  assert.match(a.detail, /its memory is not shared yet/);
  assert.equal(a.sharedMemoryAdded, true);
  assert.deepEqual(tags(await xml(plain)), ['data']);
  assert.match(
    await xml(plain),
    /<memoryBacking>\s*<source type='memfd'\/>\s*<access mode='shared'\/>\s*<\/memoryBacking>/,
  );
  assert.deepEqual(tags(await xml(plain, true)), []);
  assert.equal((await run<ShareListOutcome>(['list', plain])).shares[0]?.live, false);
  const r = await run<ShareRemoveOutcome>(['remove', plain, 'data']);
  assert.equal(r.applies, 'next-start');
  assert.deepEqual(tags(await xml(plain)), []);
});
