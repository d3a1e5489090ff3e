/**
 * `vm nic` on the real system daemon, on a VM `vm create` made that boots the test guest's kernel:
 * cards on the default network and on the host bridge virbr0 go into the definition while shut off
 * and are hot-plugged and unplugged while it runs; `vm info` shows them; every bad input (unknown VM,
 * network, bridge, a MAC in use, a card that is not there) is a typed error and changes nothing.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as nic } from '../../src/cli/commands/vm-nic.js';
import type { CommandContext } from '../../src/cli/command.js';
import { connect, DomainXmlFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { NicAddOutcome, NicListOutcome, NicRemoveOutcome } from '../../src/devices/nic.js';
import { vmInfo } from '../../src/machines/vm-info.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';
import { testGuestCreateArgs, waitForReport } from '../support/test-guest.js';
import { waitFor } from '../support/wait.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const vm = uniqueName('nic');
const other = uniqueName('nic-other');
const MAC = '52:54:00:aa:bb:01';

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });
const run = async <T>(positionals: string[], values: CommandContext['values'] = {}): Promise<T> =>
  (await nic(ctx(positionals, values))).data as T;

const xml = async (name = vm, live = false) =>
  (await lv.domains.lookup(name)).xml(live ? 0 : DomainXmlFlags.INACTIVE);
const interfaces = (text: string) =>
  [...text.matchAll(/<interface type='(\w+)'>[\s\S]*?<mac address='([^']+)'/g)].map((m) => [m[1], m[2]]);

/** `vm create`'s flags from the test guest's command line (`--kernel K` → { kernel: K }). */
function createValues(name: string): CommandContext['values'] {
  const args = testGuestCreateArgs(name).slice(3);
  const values: CommandContext['values'] = {};
  for (let i = 0; i < args.length; i += 2) values[(args[i] as string).slice(2)] = args[i + 1];
  return values;
}

before(async () => {
  if (!isRoot) return;
  lv = await connect('qemu:///system');
  dir = mkdtempSync(join(tmpdir(), 'phyllo-nic-'));
  chmodSync(dir, 0o755);
  await create(ctx([vm], { ...createValues(vm), 'serial-log': join(dir, 'serial.log') }));
  await create(ctx([other], { os: 'linux', memory: '1G', 'disk-size': 'none', display: 'none' }));
  await run(['add', other], { mac: '52:54:00:aa:bb:99' });
});
after(async () => {
  if (!isRoot) return;
  for (const n of [vm, other]) {
    const d = await lv.domains.lookup(n).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(4 | 32).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'shut off: a card on the default network and one on virbr0 go into the definition',
  { skip },
  async () => {
    const first = interfaces(await xml());
    assert.equal(first.length, 1, 'vm create gave it one card');
    const a = await run<NicAddOutcome>(['add', vm], {});
    assert.equal(a.applies, 'next-start');
    assert.equal(a.nic.type, 'network');
    assert.equal(a.nic.source, 'default');
    assert.match(a.nic.mac ?? '', /^52:54:00:/);
    const b = await run<NicAddOutcome>(['add', vm], {
      bridge: 'virbr0',
      model: 'e1000e',
      mac: MAC.toUpperCase(),
    });
    assert.equal(b.nic.mac, MAC);
    assert.deepEqual(interfaces(await xml()), [...first, ['network', a.nic.mac], ['bridge', MAC]]);
    assert.match(await xml(), /<source bridge='virbr0'\/>\s*<model type='e1000e'\/>/);
    const list = await run<NicListOutcome>(['list', vm]);
    assert.deepEqual(
      list.nics.map((n) => [n.index, n.type, n.source, n.model, n.mac]),
      [
        [0, 'network', 'default', 'virtio', first[0]?.[1]],
        [1, 'network', 'default', 'virtio', a.nic.mac],
        [2, 'bridge', 'virbr0', 'e1000e', MAC],
      ],
    );
    const info = await vmInfo(lv, vm);
    assert.deepEqual(
      info.nics.map((n) => n.mac),
      list.nics.map((n) => n.mac),
    );
  },
);

test('bad input is a typed error and the definition stays as it was', { skip }, async () => {
  const before = await xml();
  await rejectsWith(run(['add', 'phyllo-no-such-vm']), 'vm-not-found', /no VM named "phyllo-no-such-vm"/);
  await rejectsWith(
    run(['add', vm], { network: 'nope' }),
    'network-not-found',
    /"nope"/,
    /Its networks: .*\bdefault\b/,
  );
  await rejectsWith(
    run(['add', vm], { bridge: 'lo' }),
    'bridge-not-found',
    /lo is a network interface, but not a bridge/,
  );
  await rejectsWith(
    run(['add', vm], { bridge: 'br-nothere' }),
    'bridge-not-found',
    /no network interface of that name/,
  );
  await rejectsWith(
    run(['add', vm], { mac: MAC }),
    'mac-in-use',
    /52:54:00:aa:bb:01 is already used by VM ".*" itself/,
  );
  await rejectsWith(
    run(['add', vm], { mac: '52:54:00:AA:BB:99' }),
    'mac-in-use',
    new RegExp(`used by VM "${other}"`),
  );
  await rejectsWith(run(['add', vm], { mac: '01:00:5e:00:00:01' }), 'invalid-input', /multicast/);
  await rejectsWith(run(['add', vm], { mac: 'zz' }), 'invalid-input', /not a MAC address/);
  await rejectsWith(run(['add', vm], { network: 'default', bridge: 'virbr0' }), 'invalid-input', /not both/);
  await rejectsWith(
    run(['remove', vm, '52:54:00:00:00:42']),
    'nic-not-found',
    /no network card 52:54:00:00:00:42/,
    /Its network cards: 0 /,
  );
  await rejectsWith(run(['remove', vm, '7']), 'nic-not-found', /no network card 7/);
  assert.equal(await xml(), before);
});

test(
  'running, no empty PCIe slot left: the card waits for the next start, saying why',
  { skip },
  async (t) => {
    const dom = await lv.domains.lookup(vm);
    await dom.start();
    t.after(() => dom.destroy().catch(() => undefined));
    const mac = '52:54:00:aa:bb:03';
    const a = await run<NicAddOutcome>(['add', vm], { mac });
    assert.equal(a.applies, 'next-start');
    assert.match(a.detail, /no free PCIe slot to hot-plug into/);
    assert.ok(
      interfaces(await xml()).some(([, m]) => m === mac),
      'its definition has it',
    );
    assert.ok(!interfaces(await xml(vm, true)).some(([, m]) => m === mac), 'the running guest does not');
    const listed = await run<NicListOutcome>(['list', vm]);
    assert.equal(listed.nics.find((n) => n.mac === mac)?.live, false);
    // Removing it while it runs changes the definition only (the guest never had it).
    const r = await run<NicRemoveOutcome>(['remove', vm, mac]);
    assert.equal(r.applies, 'next-start');
    assert.match(r.detail, /does not have this card/);
  },
);

const SPARE_PORT = `<controller type='pci' model='pcie-root-port'/>`;

test('running: a card is hot-plugged (live and persistent) and unplugged again', { skip }, async (t) => {
  const dom = await lv.domains.lookup(vm);
  // One empty PCIe root port to hot-plug into (q35 needs one; the VM's model adds none).
  const config = await dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE);
  await lv.domains.define(config.replace('</devices>', `${SPARE_PORT}</devices>`));
  await dom.start();
  t.after(() => dom.destroy().catch(() => undefined));
  // The guest's report: its kernel is up, so its PCIe hotplug driver answers the unplug below.
  const report = await waitForReport(join(dir, 'serial.log'));
  const mac = '52:54:00:aa:bb:02';
  const a = await run<NicAddOutcome>(['add', vm], { mac });
  assert.equal(a.applies, 'now', a.detail);
  assert.ok(
    interfaces(await xml(vm, true)).some(([, m]) => m === mac),
    'the running guest has it',
  );
  assert.ok(
    interfaces(await xml()).some(([, m]) => m === mac),
    'its definition has it',
  );
  assert.ok(report.net.length >= 1, 'the guest saw its first card');
  const listed = await run<NicListOutcome>(['list', vm]);
  assert.equal(listed.running, true);
  assert.equal(listed.nics.find((n) => n.mac === mac)?.live, true);
  const r = await run<NicRemoveOutcome>(['remove', vm, mac]);
  assert.equal(r.applies, 'now');
  assert.equal(r.removed.mac, mac);
  assert.ok(!interfaces(await xml()).some(([, m]) => m === mac), 'gone from the definition');
  // The guest's kernel (pciehp) lets the card go; libvirt drops it from the live XML then.
  await waitFor(
    'the guest releasing the card',
    async () => (interfaces(await xml(vm, true)).some(([, m]) => m === mac) ? undefined : true),
    { limitMs: 60_000, everyMs: 500 },
  );
});

test('remove by index, shut off', { skip }, async () => {
  const r = await run<NicRemoveOutcome>(['remove', vm, '2']);
  assert.equal(r.removed.mac, MAC);
  assert.equal(r.applies, 'next-start');
  assert.ok(!interfaces(await xml()).some(([, m]) => m === MAC));
});
