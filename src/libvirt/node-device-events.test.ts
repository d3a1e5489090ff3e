import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from './api.js';
import { UnixDialer } from './dialers/unix.js';
import { answerHandshake, hex, type CallHandler, FakeDaemon } from './fake-daemon.js';
import { PacketType } from './packet.js';
import { EventProc, Proc } from './procedures.js';
import { decodeWith } from './xdr.js';

/** A remote_node_device_event_lifecycle_msg as libvirtd sends it: callback 7, `usb_1_5`, CREATED 0, detail 0. */
const CREATED_USB_1_5 = hex(`
  00000007                  # callbackID
  00000007 7573625f315f3500 # dev.name: "usb_1_5", padded to 8
  00000000                  # event: VIR_NODE_DEVICE_EVENT_CREATED
  00000000                  # detail
`);
const DELETED_USB_1_5 = hex(`
  00000007 00000007 7573625f315f3500
  00000001                  # event: VIR_NODE_DEVICE_EVENT_DELETED
  00000000
`);

function daemon(): { handler: CallHandler; deregistered: number[] } {
  const deregistered: number[] = [];
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectNodeDeviceEventRegisterAny.num)
      return c.reply(p, Proc.ConnectNodeDeviceEventRegisterAny.ret, { callbackID: 7 });
    if (p.proc === Proc.ConnectNodeDeviceEventDeregisterAny.num) {
      deregistered.push(decodeWith(Proc.ConnectNodeDeviceEventDeregisterAny.args, p.payload).callbackID);
      return c.replyBytes(p, Buffer.alloc(0));
    }
  };
  return { handler, deregistered };
}

test('node-device lifecycle: one registration for every device, CREATED and DELETED decoded from the exact frames', async () => {
  const { handler, deregistered } = daemon();
  const d = await FakeDaemon.unix(handler);
  try {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const a = await lv.events.nodeDeviceLifecycle();
    const b = await lv.events.nodeDeviceLifecycle();
    const conn = d.connections[0]!;
    const registrations = conn.received.filter(
      (p) => p.type === PacketType.CALL && p.proc === Proc.ConnectNodeDeviceEventRegisterAny.num,
    );
    assert.equal(registrations.length, 1, 'two subscribers share one registration');
    assert.equal(registrations[0]!.proc, 374);
    assert.deepEqual(registrations[0]!.payload, hex('00000000 00000000'), 'eventID LIFECYCLE, dev NULL');
    conn.event(EventProc.NodeDeviceEventLifecycle, CREATED_USB_1_5);
    conn.event(376, DELETED_USB_1_5);
    const want = [
      { kind: 'node-device-lifecycle', device: 'usb_1_5', event: 'created', eventCode: 0, detail: 0 },
      { kind: 'node-device-lifecycle', device: 'usb_1_5', event: 'deleted', eventCode: 1, detail: 0 },
    ];
    for (const sub of [a, b]) assert.deepEqual([await sub.next(), await sub.next()], want);
    a.close();
    assert.deepEqual(deregistered, [], 'one subscriber is left');
    b.close();
    await conn.waitFor((p) => p.proc === Proc.ConnectNodeDeviceEventDeregisterAny.num);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(deregistered, [7], 'the last one gone: the callback is deregistered');
    await lv.close();
  } finally {
    await d.close();
  }
});
