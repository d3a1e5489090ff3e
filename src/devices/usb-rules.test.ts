/**
 * The USB rule engine against the fake daemon: node-device lifecycle messages (procedure 376) as
 * libvirtd sends them, byte for byte, and domain lifecycle messages; the test checks which hostdev
 * XML the engine attaches and detaches, live only, on which VM.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../libvirt/api.js';
import { UnixDialer } from '../libvirt/dialers/unix.js';
import { answerHandshake, hex, FakeDaemon, type CallHandler } from '../libvirt/fake-daemon.js';
import { EventProc, Proc } from '../libvirt/procedures.js';
import { xdomain } from '../libvirt/types.js';
import { type Codec, decodeWith, encodeWith, xint, xstruct } from '../libvirt/xdr.js';
import { PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { startUsbRules, type UsbRuleLogEntry } from './usb-rules.js';

let lockDir: string;
before(() => {
  lockDir = mkdtempSync(join(tmpdir(), 'phyllo-usb-rules-'));
  process.env.PHYLLO_LOCK_DIR = lockDir;
});
after(() => rmSync(lockDir, { recursive: true, force: true }));

interface FakeVm {
  ref: { name: string; uuid: Buffer; id: number };
  state: number;
  rules: string;
  live: string[];
}

const vm = (name: string, n: number, state: number, rules: string): FakeVm => ({
  ref: { name, uuid: Buffer.alloc(16, n), id: state === 1 ? n : -1 },
  state,
  rules,
  live: [],
});

const usbNode = (name: string, bus: number, dev: number, vendor: string, product: string, path = '') =>
  `<device><name>${name}</name>${path ? `<path>${path}</path>` : ''}<parent>usb_usb${bus}</parent><capability type='usb_device'><bus>${bus}</bus><device>${dev}</device><product id='0x${product}'>P</product><vendor id='0x${vendor}'>V</vendor></capability></device>`;

/** A node-device lifecycle message for callback 11: name, then event (0 CREATED, 1 DELETED) and detail 0. */
function lifecycleFrame(name: 'usb_2_7' | 'usb_2_8', event: 0 | 1): Buffer {
  const nameHex = Buffer.from(name).toString('hex'); // 7 bytes, one byte of padding
  return hex(`
    0000000b                 # callbackID 11
    00000007 ${nameHex}00    # dev.name
    0000000${event}          # event
    00000000                 # detail
  `);
}

const domainLifecycle = xstruct({ callbackID: xint, dom: xdomain, event: xint, detail: xint });

test('rules attach present devices at start, arrivals, and at a VM start; unplugging detaches; another running VM keeps its device', async () => {
  const rule = (v: string, p: string, s?: string) =>
    `<phyllome:usb-rule vendor='${v}' product='${p}'${s ? ` serial='${s}'` : ''}/>`;
  const vms = [
    vm('web', 1, 1, rule('046d', 'c52b') + rule('1050', '0407', 'KEY1')),
    vm('office', 2, 5, rule('abcd', '0001') + rule('046d', 'c52b')),
  ];
  const nodes: Record<string, string> = {
    usb_usb1: usbNode('usb_usb1', 1, 1, '1d6b', '0002'),
    usb_1_3: usbNode('usb_1_3', 1, 3, '046d', 'c52b'),
  };
  const serials: Record<string, string> = { usb_2_7: 'KEY1', usb_1_3: 'none' };
  const calls: { op: 'attach' | 'detach'; vm: string; xml: string; flags: number }[] = [];
  const byRef = (r: { name: string }) => vms.find((v) => v.ref.name === r.name)!;
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    const args = <A>(def: { args: Codec<A> }): A => decodeWith(def.args, p.payload);
    switch (p.proc) {
      case Proc.ConnectNodeDeviceEventRegisterAny.num:
        return c.reply(p, Proc.ConnectNodeDeviceEventRegisterAny.ret, { callbackID: 11 });
      case Proc.ConnectDomainEventCallbackRegisterAny.num:
        return c.reply(p, Proc.ConnectDomainEventCallbackRegisterAny.ret, { callbackID: 12 });
      case Proc.ConnectListAllDomains.num:
        return c.reply(p, Proc.ConnectListAllDomains.ret, {
          domains: vms.map((v) => v.ref),
          ret: vms.length,
        });
      case Proc.DomainLookupByName.num: {
        const v = vms.find((x) => x.ref.name === args(Proc.DomainLookupByName).name)!;
        return c.reply(p, Proc.DomainLookupByName.ret, { dom: v.ref });
      }
      case Proc.DomainLookupByUuid.num: {
        const uuid = args(Proc.DomainLookupByUuid).uuid;
        return c.reply(p, Proc.DomainLookupByUuid.ret, {
          dom: vms.find((x) => x.ref.uuid.equals(uuid))!.ref,
        });
      }
      case Proc.DomainGetState.num:
        return c.reply(p, Proc.DomainGetState.ret, {
          state: byRef(args(Proc.DomainGetState).dom).state,
          reason: 1,
        });
      case Proc.DomainGetXmlDesc.num: {
        const { dom, flags } = args(Proc.DomainGetXmlDesc);
        const v = byRef(dom);
        const xml =
          flags & 2
            ? `<domain type='kvm'><name>${v.ref.name}</name><metadata><phyllome:vm xmlns:phyllome='${PHYLLOME_NS}'><phyllome:usb-rules>${v.rules}</phyllome:usb-rules></phyllome:vm></metadata><devices/></domain>`
            : `<domain type='kvm'><name>${v.ref.name}</name><devices>${v.live.join('')}</devices></domain>`;
        return c.reply(p, Proc.DomainGetXmlDesc.ret, { xml });
      }
      case Proc.ConnectListAllNodeDevices.num:
        return c.reply(p, Proc.ConnectListAllNodeDevices.ret, {
          devices: Object.keys(nodes).map((name) => ({ name })),
          ret: Object.keys(nodes).length,
        });
      case Proc.NodeDeviceLookupByName.num: {
        const { name } = args(Proc.NodeDeviceLookupByName);
        if (!nodes[name])
          return c.replyError(p, { code: 53, domain: 22, message: `Node device not found: ${name}` });
        return c.reply(p, Proc.NodeDeviceLookupByName.ret, { dev: { name } });
      }
      case Proc.NodeDeviceGetXmlDesc.num: {
        const { name } = args(Proc.NodeDeviceGetXmlDesc);
        return c.reply(p, Proc.NodeDeviceGetXmlDesc.ret, { xml: nodes[name]! });
      }
      case Proc.DomainAttachDeviceFlags.num:
      case Proc.DomainDetachDeviceFlags.num: {
        const attach = p.proc === Proc.DomainAttachDeviceFlags.num;
        const a = args(Proc.DomainAttachDeviceFlags);
        const v = byRef(a.dom);
        calls.push({ op: attach ? 'attach' : 'detach', vm: v.ref.name, xml: a.xml, flags: a.flags });
        v.live = attach ? [...v.live, a.xml] : v.live.filter((x) => x !== a.xml);
        return c.replyBytes(p, Buffer.alloc(0));
      }
    }
  };
  const d = await FakeDaemon.unix(handler);
  const log: UsbRuleLogEntry[] = [];
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(ok(), `${what}; log: ${JSON.stringify(log)}`);
  };
  const hostdev = (bus: number, dev: number) =>
    `<hostdev mode='subsystem' type='usb' managed='yes'>\n  <source>\n    <address bus='${bus}' device='${dev}'/>\n  </source>\n</hostdev>\n`;
  try {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const engine = await startUsbRules(lv, {
      log: (e) => log.push(e),
      serialOf: (x) => serials[x.name] ?? null,
    });
    assert.deepEqual(
      calls,
      [{ op: 'attach', vm: 'web', xml: hostdev(1, 3), flags: 1 }],
      'plugged in before: attached at start, live only',
    );
    const conn = d.connections[0]!;

    // A key with the rule's serial arrives on bus 2.
    nodes.usb_2_7 = usbNode('usb_2_7', 2, 7, '1050', '0407', '/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1');
    conn.event(EventProc.NodeDeviceEventLifecycle, lifecycleFrame('usb_2_7', 0));
    await until('the key is attached', () => calls.length === 2);
    assert.deepEqual(calls[1], { op: 'attach', vm: 'web', xml: hostdev(2, 7), flags: 1 });

    // A device no running VM has a rule for: nothing.
    nodes.usb_2_8 = usbNode('usb_2_8', 2, 8, 'abcd', '0001');
    conn.event(EventProc.NodeDeviceEventLifecycle, lifecycleFrame('usb_2_8', 0));
    // The key is pulled out: detached from web, by the same XML.
    delete nodes.usb_2_7;
    conn.event(EventProc.NodeDeviceEventLifecycle, lifecycleFrame('usb_2_7', 1));
    await until('the key is detached', () => calls.length === 3);
    assert.deepEqual(calls[2], { op: 'detach', vm: 'web', xml: hostdev(2, 7), flags: 1 });

    // office starts: its abcd:0001 device is plugged in and attached; the receiver stays with web.
    const office = vms[1]!;
    office.state = 1;
    office.ref.id = 9;
    conn.event(
      EventProc.DomainEventCallbackLifecycle,
      encodeWith(domainLifecycle, { callbackID: 12, dom: office.ref, event: 2, detail: 0 }),
    );
    await until('office gets its device', () => calls.length === 4);
    assert.deepEqual(calls[3], { op: 'attach', vm: 'office', xml: hostdev(2, 8), flags: 1 });
    await engine.idle();
    assert.deepEqual(
      log.map((e) => [e.action, e.vm, e.device, e.rule, e.reason]),
      [
        ['attached', 'web', '046d:c52b at 1.3 (usb_1_3)', '046d:c52b', undefined],
        ['attached', 'web', '1050:0407 at 2.7 (usb_2_7)', '1050:0407:KEY1', undefined],
        ['detached', 'web', '1050:0407 at 2.7 (usb_2_7)', undefined, 'it was unplugged'],
        ['skipped', 'office', '046d:c52b at 1.3 (usb_1_3)', '046d:c52b', 'the running VM "web" has it'],
        ['attached', 'office', 'abcd:0001 at 2.8 (usb_2_8)', 'abcd:0001', undefined],
      ],
    );
    assert.deepEqual(engine.attachments(), [
      { vm: 'web', device: '046d:c52b at 1.3 (usb_1_3)' },
      { vm: 'office', device: 'abcd:0001 at 2.8 (usb_2_8)' },
    ]);
    await engine.stop();
    await lv.close();
  } finally {
    await d.close();
  }
});

test('a rule with a serial does not match a device whose serial differs or cannot be read', async () => {
  const { ruleMatches } = await import('./usb-rules.js');
  const d = {
    name: 'usb_1_4',
    bus: 1,
    device: 4,
    vendorId: '1050',
    productId: '0407',
    vendorName: '',
    productName: '',
  };
  assert.equal(ruleMatches({ vendorId: '1050', productId: '0407' }, d, null), true);
  assert.equal(ruleMatches({ vendorId: '1050', productId: '0407', serial: 'A' }, d, 'A'), true);
  assert.equal(ruleMatches({ vendorId: '1050', productId: '0407', serial: 'A' }, d, 'B'), false);
  assert.equal(ruleMatches({ vendorId: '1050', productId: '0407', serial: 'A' }, d, null), false);
  assert.equal(ruleMatches({ vendorId: '1050', productId: '0408' }, d, null), false);
});
