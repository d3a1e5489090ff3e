import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notRunning, refusal } from './power-rules.js';

test('each operation accepts its states and refuses the others with a hint that fits', () => {
  assert.equal(refusal('a', 'start', 'shutoff'), undefined);
  assert.equal(refusal('a', 'start', 'crashed'), undefined);
  assert.equal(refusal('a', 'shutdown', 'running'), undefined);
  assert.equal(refusal('a', 'kill', 'paused'), undefined);
  assert.equal(refusal('a', 'pause', 'running'), undefined);
  assert.equal(refusal('a', 'resume', 'paused'), undefined);
  const start = refusal('a', 'start', 'running');
  assert.equal(start?.code, 'vm-wrong-state');
  assert.match(start?.message ?? '', /"a" is running: it is already started/);
  assert.equal(start?.toJSON().state, 'running', "--json carries libvirt's state");
  assert.match(refusal('a', 'start', 'paused')?.hint ?? '', /phyllo vm resume a/);
  const pause = refusal('a', 'pause', 'shutoff');
  assert.match(pause?.message ?? '', /is shut off: only a running VM can be paused/);
  assert.equal(pause?.state, 'shutoff');
  assert.match(pause?.hint ?? '', /phyllo vm start a/);
  assert.match(refusal('a', 'shutdown', 'shutoff')?.hint ?? '', /phyllo vm start a/);
  assert.match(refusal('a', 'shutdown', 'paused')?.hint ?? '', /phyllo vm kill a/);
  assert.match(refusal('a', 'kill', 'shutoff')?.message ?? '', /nothing to power off/);
  assert.match(refusal('a', 'resume', 'running')?.hint ?? '', /pause/);
  assert.match(refusal('a', 'reboot', 'paused')?.hint ?? '', /resume/);
});

test('a console or a screenshot needs a running (or paused) VM, and says so in its own words', () => {
  assert.equal(notRunning('web', 'running', 'the serial console'), undefined);
  assert.equal(notRunning('web', 'paused', 'a screenshot'), undefined);
  const off = notRunning('web', 'shutoff', 'the serial console');
  assert.match(off?.message ?? '', /is shut off: the serial console needs a running VM/);
  assert.equal(off?.hint, 'Start it: phyllo vm start web');
  assert.equal(off?.code, 'vm-wrong-state');
});
