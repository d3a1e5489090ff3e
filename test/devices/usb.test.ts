/**
 * USB passthrough, USB rules and mediated devices against the real system daemon (libvirt 9.0). This
 * machine has no USB bus and libvirt lists no usb_device node devices, so: the USB hostdev XML in both
 * forms (vendor/product, as `--usb VID:PID` writes it; bus/device, as `--usb BUS.DEVICE` and the rule
 * engine write it) is defined into a real VM, passes `virt-xml-validate`, and round-trips through
 * `vm info` and `vm device list`; `vm device add --usb` is refused with "this host has no USB
 * devices"; rules round-trip through the VM's metadata; the rule engine registers for node-device
 * events with the real daemon; `bin/phyllo usb watch` stops cleanly on Ctrl-C. A mediated device's
 * hostdev (by UUID, as `--gpu --mdev` writes it) is defined, validated and round-trips the same way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { run as device } from '../../src/cli/commands/vm-device.js';
import { run as usbRule } from '../../src/cli/commands/usb-rule.js';
import type { CommandContext } from '../../src/cli/command.js';
import {
  connect,
  DefineFlags,
  DomainXmlFlags,
  NodeDeviceListFlags,
  type Libvirt,
} from '../../src/libvirt/index.js';
import type { DeviceListOutcome } from '../../src/devices/pci-device.js';
import type { UsbRemoveOutcome } from '../../src/devices/usb-device.js';
import type { UsbRuleChange, VmUsbRules } from '../../src/devices/usb-rule-store.js';
import { startUsbRules } from '../../src/devices/usb-rules.js';
import { mdevHostdevElement, usbHostdevElement } from '../../src/devices/usb-xml.js';
import type { MdevRemoveOutcome } from '../../src/devices/mdev-device.js';
import { vmInfo } from '../../src/machines/vm-info.js';
import { serializeXml } from '../../src/xml/serialize.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { BIN, phyllo } from '../support/bin-phyllo.js';
import { rejectsWith } from '../support/rejects.js';
import { jsonContext } from '../support/command-context.js';

const exec = promisify(execFile);
const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const vm = uniqueName('usb');

const ctx = (positionals: string[], values: CommandContext['values'] = {}) =>
  jsonContext(positionals, { connect: 'qemu:///system', ...values });
const run = async <T>(positionals: string[], values: CommandContext['values'] = {}): Promise<T> =>
  (await device(ctx(positionals, values))).data as T;
const rules = async <T>(positionals: string[], values: CommandContext['values'] = {}): Promise<T> =>
  (await usbRule(ctx(positionals, values))).data as T;
const xml = async () => (await lv.domains.lookup(vm)).xml(DomainXmlFlags.INACTIVE);

async function validates(text: string): Promise<void> {
  const file = join(dir, 'domain.xml');
  writeFileSync(file, text);
  const v = await exec('virt-xml-validate', [file, 'domain']);
  assert.match(v.stdout + v.stderr, /validates/);
}

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-usb-test-'));
  lv = await connect('qemu:///system');
  await create(ctx([vm], { os: 'linux', memory: '1G', 'disk-size': 'none', display: 'none' }));
});
after(async () => {
  if (!isRoot) return;
  const d = await lv.domains.lookup(vm).catch(() => undefined);
  await d?.destroy().catch(() => undefined);
  await d?.undefine(4 | 32).catch(() => undefined);
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('this host has no USB devices in libvirt, as the tests below assume', { skip }, async () => {
  assert.deepEqual(await lv.nodeDevices.list(NodeDeviceListFlags.CAP_USB_DEV), []);
});

test(
  'USB hostdevs by vendor/product and by bus/device: defined, validated, shown by vm info and vm device list, removed',
  { skip },
  async () => {
    const elements = [
      usbHostdevElement({ by: 'product', vendorId: '046d', productId: 'c52b' }),
      usbHostdevElement({ by: 'address', bus: 1, device: 5 }),
    ];
    const text = (await xml()).replace(
      '</devices>',
      `${elements.map((e) => serializeXml(e)).join('')}</devices>`,
    );
    await lv.domains.define(text, DefineFlags.VALIDATE);
    const defined = await xml();
    assert.match(defined, /<vendor id='0x046d'\/>\s*<product id='0xc52b'\/>/);
    assert.match(defined, /<address bus='1' device='5'\/>/);
    await validates(defined);
    const info = await vmInfo(lv, vm);
    assert.deepEqual(info.usbDevices, [
      { id: '046d:c52b', vendorId: '046d', productId: 'c52b' },
      { id: '1.5', bus: 1, device: 5 },
    ]);
    assert.deepEqual(
      info.devices.filter((d) => d.kind === 'hostdev').map((d) => d.summary),
      ['type=usb usb=046d:c52b', 'type=usb usb=1.5'],
    );
    const list = await run<DeviceListOutcome>(['list', vm]);
    assert.equal(list.running, false);
    assert.deepEqual(list.usb, [
      { id: '046d:c52b', vendorId: '046d', productId: 'c52b' },
      { id: '1.5', bus: 1, device: 5 },
    ]);
    const human = await phyllo('vm', 'device', 'list', vm, '--connect', 'qemu:///system');
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /^usb {3}046d:c52b {2}\(not plugged in now\)\nusb {3}1\.5 {2}\(not plugged in now\)$/m,
    );
    await rejectsWith(
      run(['remove', vm, '1234:5678']),
      'device-not-found',
      /no host device 1234:5678/,
      /046d:c52b, 1\.5/,
    );
    const r = await run<UsbRemoveOutcome>(['remove', vm, '046D:C52B']);
    assert.equal(r.removed, '046d:c52b');
    assert.equal(r.applies, 'next-start');
    const r2 = await run<UsbRemoveOutcome>(['remove', vm, '1.5']);
    assert.equal(r2.removed, '1.5');
    assert.doesNotMatch(await xml(), /<hostdev [^>]*type='usb'/);
  },
);

test(
  'a mediated device hostdev by UUID: defined, validated, shown by vm info and vm device list, removed',
  { skip },
  async () => {
    const uuid = '4b20d080-1b54-4048-85b3-a6a62d165c01';
    const text = (await xml()).replace('</devices>', `${serializeXml(mdevHostdevElement(uuid))}</devices>`);
    await lv.domains.define(text, DefineFlags.VALIDATE);
    const defined = await xml();
    assert.match(defined, new RegExp(`<hostdev mode='subsystem' type='mdev'[^>]*model='vfio-pci'`));
    assert.match(defined, new RegExp(`<address uuid='${uuid}'/>`));
    await validates(defined);
    const info = await vmInfo(lv, vm);
    assert.deepEqual(
      info.devices.filter((d) => d.kind === 'hostdev').map((d) => d.summary),
      [`type=mdev model=vfio-pci uuid=${uuid}`],
    );
    const list = await run<DeviceListOutcome>(['list', vm]);
    assert.deepEqual(list.mdev, [{ uuid, model: 'vfio-pci' }]);
    const human = await phyllo('vm', 'device', 'list', vm, '--connect', 'qemu:///system');
    assert.match(human.stdout, new RegExp(`^mdev  ${uuid}  vfio-pci$`, 'm'));
    const r = await run<MdevRemoveOutcome>(['remove', vm, uuid]);
    assert.equal(r.removed, uuid);
    assert.equal(r.applies, 'next-start');
    assert.doesNotMatch(await xml(), /type='mdev'/);
  },
);

test(
  'vm device add --usb here: "this host has no USB devices"; malformed ids and mdev refused; nothing changed',
  { skip },
  async () => {
    const before = await xml();
    await rejectsWith(
      run(['add', vm], { usb: '046d:c52b' }),
      'usb-unknown',
      /^Unknown USB id 046d:c52b; this host has no USB devices/,
      /Plug the device into the VM host/,
    );
    await rejectsWith(
      run(['add', vm], { usb: '1.5' }),
      'usb-unknown',
      /Unknown USB id 1\.5; this host has no USB devices/,
    );
    await rejectsWith(
      run(['add', vm], { usb: '46d:c52b' }),
      'usb-id-invalid',
      /does not name a USB device/,
      /VID:PID/,
    );
    await rejectsWith(
      run(['add', vm], { usb: '046d:c52b', pci: '00:02.0' }),
      'invalid-input',
      /one device at a time/,
    );
    await rejectsWith(run(['add', vm], { gpu: '00:02.0' }), 'invalid-input', /--gpu and --mdev go together/);
    const out = await phyllo(
      'vm',
      'device',
      'add',
      vm,
      '--usb',
      '046d:c52b',
      '--connect',
      'qemu:///system',
      '--json',
    );
    assert.notEqual(out.code, 0);
    const err = (JSON.parse(out.stdout) as { error: { code: string; message: string; present: unknown[] } })
      .error;
    assert.equal(err.code, 'usb-unknown');
    assert.match(err.message, /this host has no USB devices/);
    assert.deepEqual(err.present, []);
    const mdev = await phyllo(
      'vm',
      'device',
      'add',
      vm,
      '--gpu',
      '00:02.0',
      '--mdev',
      'i915-GVTg_V5_4',
      '--connect',
      'qemu:///system',
    );
    assert.notEqual(mdev.code, 0);
    assert.match(mdev.stderr, /this host offers no mediated devices/);
    assert.match(mdev.stderr, /i915\.enable_gvt=1/);
    assert.equal(await xml(), before);
  },
);

test(
  'USB rules round-trip through the VM’s Phyllome metadata; bad ones are refused unchanged',
  { skip },
  async () => {
    const added = await rules<UsbRuleChange>(['add', '1050:0407'], { vm });
    assert.deepEqual(added, { vm, rule: '1050:0407', rules: ['1050:0407'], running: false });
    await rules(['add', '046D:C52B:0123ABCD'], { vm });
    const text = await xml();
    assert.match(
      text,
      /<phyllome:usb-rules>\s*<phyllome:usb-rule vendor="1050" product="0407"\/>\s*<phyllome:usb-rule vendor="046d" product="c52b" serial="0123ABCD"\/>\s*<\/phyllome:usb-rules>/,
    );
    await validates(text);
    const before = await xml();
    await rejectsWith(
      rules(['add', '1050:0407'], { vm }),
      'usb-rule-exists',
      /has the USB rule 1050:0407 already/,
    );
    await rejectsWith(rules(['add', '1050-0407'], { vm }), 'usb-id-invalid', /does not name a USB rule/);
    await rejectsWith(
      rules(['remove', '1050:0408'], { vm }),
      'usb-rule-not-found',
      /no USB rule 1050:0408/,
      /1050:0407, 046d:c52b:0123ABCD/,
    );
    await rejectsWith(rules(['add', '1050:0407'], { vm: 'phyllo-no-such-vm' }), 'vm-not-found', /no VM/);
    assert.equal(await xml(), before);
    const listed = (await rules<{ vms: VmUsbRules[] }>(['list'], { vm })).vms;
    assert.deepEqual(listed, [
      {
        vm,
        rules: [
          { vendorId: '1050', productId: '0407', id: '1050:0407' },
          { vendorId: '046d', productId: 'c52b', serial: '0123ABCD', id: '046d:c52b:0123ABCD' },
        ],
      },
    ]);
    const all = (await rules<{ vms: VmUsbRules[] }>(['list'])).vms;
    assert.ok(all.some((v) => v.vm === vm && v.rules.length === 2));
    const human = await phyllo('usb', 'rule', 'list', '--vm', vm, '--connect', 'qemu:///system');
    assert.equal(human.stdout, `${vm}  1050:0407\n${vm}  046d:c52b:0123ABCD\n`);
    const removed = await rules<UsbRuleChange>(['remove', '1050:0407'], { vm });
    assert.deepEqual(removed.rules, ['046d:c52b:0123ABCD']);
    // vm info still reads the VM's own metadata the same way.
    assert.ok((await vmInfo(lv, vm)).phyllome);
  },
);

test(
  'the rule engine registers for node-device events with the real daemon; usb watch stops on Ctrl-C',
  { skip },
  async () => {
    const log: unknown[] = [];
    const engine = await startUsbRules(lv, { log: (e) => log.push(e) });
    assert.deepEqual(engine.attachments(), []);
    await engine.stop();
    assert.deepEqual(log, [], 'nothing plugged in here, nothing attached or failed');
    const child = spawn(BIN, ['usb', 'watch', '--connect', 'qemu:///system'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    for (let i = 0; i < 200 && !/Ctrl-C stops/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(err, /^Watching USB devices on qemu:\/\/\/system for the VMs' USB rules\. Ctrl-C stops\.$/m);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 0, err);
    assert.match(out, /^Stopped \(SIGINT\)\.$/m);
  },
);
