import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainEvent } from '../../libvirt/index.js';
import { hostMessage, jobMessage, parseClientMessage, vmEventMessage } from './messages.js';
import type { JobView } from '../job-registry.js';
import type { Libvirt } from '../../libvirt/index.js';

const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const dom = { name: 'web', uuid, id: 3 };
const at = new Date('2024-05-01T10:00:00.000Z');
const ref = {
  host: 'local',
  vm: 'web',
  uuid: '00112233-4455-6677-8899-aabbccddeeff',
  at: '2024-05-01T10:00:00.000Z',
};

describe('/api/events messages', () => {
  it('a lifecycle event names the event and its detail in words', () => {
    const cases: [number, string, number, string][] = [
      [2, 'started', 0, 'booted'],
      [5, 'stopped', 1, 'destroyed'],
      [5, 'stopped', 0, 'shutdown'],
      [3, 'suspended', 0, 'paused'],
      [3, 'suspended', 2, 'io-error'],
      [4, 'resumed', 0, 'unpaused'],
      [0, 'defined', 1, 'updated'],
      [1, 'undefined', 0, 'removed'],
      [6, 'shutdown', 1, 'guest'],
      [8, 'crashed', 0, 'panicked'],
    ];
    for (const [code, event, detail, words] of cases) {
      const e = { kind: 'lifecycle', dom, event, eventCode: code, detail } as DomainEvent;
      assert.deepEqual(vmEventMessage('local', e, at), {
        type: 'lifecycle',
        ...ref,
        event,
        detail: words,
      });
    }
    const odd = { kind: 'lifecycle', dom, event: 'stopped', eventCode: 5, detail: 42 } as DomainEvent;
    assert.equal((vmEventMessage('local', odd, at) as { detail: string }).detail, 'detail-42');
  });

  it('device, tray, disk-change and reboot events carry the device alias and what changed', () => {
    assert.deepEqual(vmEventMessage('h2', { kind: 'device-added', dom, devAlias: 'net1' }, at), {
      type: 'device-added',
      ...ref,
      host: 'h2',
      device: 'net1',
    });
    assert.deepEqual(vmEventMessage('local', { kind: 'device-removed', dom, devAlias: 'ua-x' }, at), {
      type: 'device-removed',
      ...ref,
      device: 'ua-x',
    });
    assert.deepEqual(
      vmEventMessage('local', { kind: 'tray-change', dom, devAlias: 'sata0-0-0', reason: 0 }, at),
      { type: 'tray-change', ...ref, device: 'sata0-0-0', tray: 'open' },
    );
    assert.equal(
      (
        vmEventMessage('local', { kind: 'tray-change', dom, devAlias: 'sata0-0-0', reason: 1 }, at) as {
          tray: string;
        }
      ).tray,
      'closed',
    );
    assert.deepEqual(
      vmEventMessage(
        'local',
        {
          kind: 'disk-change',
          dom,
          oldSrcPath: '/isos/gone.iso',
          newSrcPath: null,
          devAlias: 'sata0-0-1',
          reason: 1,
        },
        at,
      ),
      {
        type: 'disk-change',
        ...ref,
        device: 'sata0-0-1',
        oldSource: '/isos/gone.iso',
        newSource: null,
        reason: 'dropped-missing-on-start',
      },
    );
    assert.deepEqual(vmEventMessage('local', { kind: 'reboot', dom }, at), { type: 'reboot', ...ref });
  });

  it('host changes carry the error shape, jobs their view under progress or end', () => {
    const lv = {} as Libvirt;
    assert.deepEqual(hostMessage({ id: 'local', uri: 'qemu:///system', connected: true, lv }, at), {
      type: 'host',
      host: 'local',
      uri: 'qemu:///system',
      connected: true,
      at: ref.at,
    });
    const down = hostMessage(
      {
        id: 'local',
        uri: 'qemu:///system',
        connected: false,
        lv,
        error: Object.assign(new Error('socket closed'), { code: 'libvirt-connection-closed' }),
      },
      at,
    );
    assert.deepEqual((down as { error: unknown }).error, {
      code: 'libvirt-connection-closed',
      message: 'socket closed',
    });
    const job = { id: 'j', kind: 'shutdown', host: 'local', state: 'running' } as JobView;
    assert.equal(jobMessage(job).type, 'job-progress');
    assert.equal(jobMessage({ ...job, state: 'done' }).type, 'job-end');
    assert.equal(jobMessage({ ...job, state: 'cancelled' }).type, 'job-end');
  });

  it('client messages: subscribe and unsubscribe with a VM name, anything else a clear refusal', () => {
    assert.deepEqual(parseClientMessage('{"type":"subscribe","vm":"web"}'), { type: 'subscribe', vm: 'web' });
    assert.deepEqual(parseClientMessage('{"type":"unsubscribe","host":"h2","vm":"web"}'), {
      type: 'unsubscribe',
      host: 'h2',
      vm: 'web',
    });
    assert.match(parseClientMessage('nope') as string, /JSON object/);
    assert.match(parseClientMessage('[1]') as string, /JSON object/);
    assert.match(parseClientMessage('{"type":"shout"}') as string, /unknown message type "shout"/);
    assert.match(parseClientMessage('{"type":"subscribe"}') as string, /needs "vm"/);
    assert.match(parseClientMessage('{"type":"subscribe","vm":"a","host":5}') as string, /host/);
  });
});
