import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyBaseLogger } from 'fastify';
import type { Libvirt } from '../libvirt/index.js';
import type { UsbRuleEngine, UsbRuleEngineOptions, UsbRuleLogEntry } from '../devices/usb-rules.js';
import type { HostChange } from './hosts.js';
import { UsbRuleRunner } from './usb-rule-runner.js';

/** Hosts as the runner sees them: the connected ones, and a way to announce a change. */
function fakeHosts(up: { id: string; uri: string; lv: Libvirt }[]) {
  const listeners = new Set<(c: HostChange) => void>();
  return {
    connected: () => up,
    onChange(fn: (c: HostChange) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit: (c: HostChange) => listeners.forEach((fn) => fn(c)),
    listeners,
  };
}

/** A logger that drops everything (the runner's log lines are Fastify's JSON lines). */
const quiet = { info() {}, warn() {} } as unknown as FastifyBaseLogger;

const conn = (name: string) => ({ connected: true, requestedUri: name }) as unknown as Libvirt;

/** Engines that record what the runner asks of them; `log` is each one's logger. */
function fakeEngines(fail: Set<Libvirt> = new Set()) {
  const calls: string[] = [];
  const logs = new Map<Libvirt, (e: UsbRuleLogEntry) => void>();
  const start = async (lv: Libvirt, options: UsbRuleEngineOptions = {}) => {
    calls.push(`start ${lv.requestedUri}`);
    if (fail.has(lv)) throw new Error('node-device events not supported');
    logs.set(lv, options.log!);
    return {
      resync: async () => void calls.push(`resync ${lv.requestedUri}`),
      stop: async () => void calls.push(`stop ${lv.requestedUri}`),
      idle: async () => undefined,
    } as unknown as UsbRuleEngine;
  };
  return { calls, logs, start };
}

const entry = (vm: string, action: UsbRuleLogEntry['action'] = 'attached'): UsbRuleLogEntry => ({
  at: '2026-12-03T12:00:00.000Z',
  action,
  vm,
  device: '046d:c52b at 1.3 (usb_1_3)',
  rule: '046d:c52b',
});

test('an engine per host: the ones up at once, one dialled later, a resync on a redial, all stopped at close', async () => {
  const a = conn('qemu:///system');
  const b = conn('qemu+ssh://nas/system');
  const hosts = fakeHosts([{ id: 'local', uri: 'qemu:///system', lv: a }]);
  const engines = fakeEngines();
  const runner = new UsbRuleRunner(hosts, quiet, { start: engines.start });
  await runner.idle();
  assert.deepEqual(engines.calls, ['start qemu:///system']);
  hosts.emit({ id: 'nas', uri: 'qemu+ssh://nas/system', lv: b, connected: true });
  hosts.emit({ id: 'nas', uri: 'qemu+ssh://nas/system', lv: b, connected: false });
  hosts.emit({ id: 'nas', uri: 'qemu+ssh://nas/system', lv: b, connected: true });
  await runner.idle();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(engines.calls, [
    'start qemu:///system',
    'start qemu+ssh://nas/system',
    'resync qemu+ssh://nas/system',
  ]);
  await runner.close();
  assert.deepEqual(engines.calls.slice(3).sort(), ['stop qemu+ssh://nas/system', 'stop qemu:///system']);
  assert.equal(hosts.listeners.size, 0, 'no longer listening to the hosts');
  hosts.emit({ id: 'other', uri: 'qemu+ssh://other/system', lv: conn('other'), connected: true });
  assert.equal(engines.calls.length, 5, 'nothing starts after close');
});

test('each host keeps the last 50 things its rules did, oldest first, and a host whose engine fails keeps serving', async () => {
  const a = conn('qemu:///system');
  const b = conn('qemu+ssh://old/system');
  const hosts = fakeHosts([
    { id: 'local', uri: 'qemu:///system', lv: a },
    { id: 'old', uri: 'qemu+ssh://old/system', lv: b },
  ]);
  const engines = fakeEngines(new Set([b]));
  const runner = new UsbRuleRunner(hosts, quiet, { start: engines.start });
  await runner.idle();
  const log = engines.logs.get(a)!;
  for (let i = 0; i < 55; i++) log(entry(`vm${i}`, i % 2 ? 'detached' : 'attached'));
  const recent = runner.recent('local');
  assert.equal(recent.length, 50);
  assert.equal(recent[0]!.vm, 'vm5');
  assert.equal(recent[49]!.vm, 'vm54');
  assert.deepEqual(runner.recent('old'), []);
  assert.deepEqual(runner.recent('nowhere'), []);
  await runner.close();
  assert.deepEqual(engines.calls, [
    'start qemu:///system',
    'start qemu+ssh://old/system',
    'stop qemu:///system',
  ]);
});
