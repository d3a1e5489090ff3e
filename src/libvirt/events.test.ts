import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from './api.js';
import { UnixDialer } from './dialers/unix.js';
import { answerHandshake, type CallHandler, FakeDaemon } from './fake-daemon.js';
import { PacketType } from './packet.js';
import { EventProc, Proc } from './procedures.js';
import { lifecycleDetailName } from './lifecycle-detail.js';
import { xdomain, xostring, xname } from './types.js';
import { decodeWith, encodeWith, xint, xstruct } from './xdr.js';

const dom = { name: 'web', uuid: Buffer.alloc(16, 1), id: 4 };
const trayMsg = xstruct({ callbackID: xint, dom: xdomain, devAlias: xname, reason: xint });
const diskMsg = xstruct({
  callbackID: xint,
  dom: xdomain,
  oldSrcPath: xostring,
  newSrcPath: xostring,
  devAlias: xname,
  reason: xint,
});

test('tray and disk-change events: registered by their event ids, decoded with the device and reason', async () => {
  let next = 1;
  const handler: CallHandler = (p, c) => {
    if (answerHandshake(p, c)) return;
    if (p.proc === Proc.ConnectDomainEventCallbackRegisterAny.num)
      return c.reply(p, Proc.ConnectDomainEventCallbackRegisterAny.ret, { callbackID: next++ });
  };
  const d = await FakeDaemon.unix(handler);
  try {
    const lv = await connect('qemu:///system', { dialer: new UnixDialer(d.path) });
    const tray = await lv.events.subscribe('tray-change');
    const disk = await lv.events.subscribe('disk-change');
    const ids = d.connections[0]!.received.filter(
      (p) => p.type === PacketType.CALL && p.proc === Proc.ConnectDomainEventCallbackRegisterAny.num,
    ).map((p) => decodeWith(Proc.ConnectDomainEventCallbackRegisterAny.args, p.payload).eventID);
    assert.deepEqual(ids, [10, 9], 'VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, _DISK_CHANGE');
    const conn = d.connections[0]!;
    conn.event(
      EventProc.DomainEventCallbackTrayChange,
      encodeWith(trayMsg, { callbackID: 1, dom, devAlias: 'sata0-0-0', reason: 0 }),
    );
    conn.event(
      EventProc.DomainEventCallbackDiskChange,
      encodeWith(diskMsg, {
        callbackID: 2,
        dom,
        oldSrcPath: '/isos/a.iso',
        newSrcPath: null,
        devAlias: 'sata0-0-1',
        reason: 0,
      }),
    );
    const t = await tray.next();
    assert.deepEqual(t && { ...t, dom: t.dom.name }, {
      kind: 'tray-change',
      dom: 'web',
      devAlias: 'sata0-0-0',
      reason: 0,
    });
    const k = await disk.next();
    assert.deepEqual(k && { ...k, dom: k.dom.name }, {
      kind: 'disk-change',
      dom: 'web',
      oldSrcPath: '/isos/a.iso',
      newSrcPath: null,
      devAlias: 'sata0-0-1',
      reason: 0,
    });
    await lv.close();
  } finally {
    await d.close();
  }
});

test('lifecycle details in words, per event; an unknown number says so', () => {
  assert.equal(lifecycleDetailName('started', 0), 'booted');
  assert.equal(lifecycleDetailName('stopped', 1), 'destroyed');
  assert.equal(lifecycleDetailName('suspended', 2), 'io-error');
  assert.equal(lifecycleDetailName('shutdown', 2), 'host');
  assert.equal(lifecycleDetailName('stopped', 99), 'detail-99');
  assert.equal(lifecycleDetailName('unknown', 0), 'detail-0');
});
