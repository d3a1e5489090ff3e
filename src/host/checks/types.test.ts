import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, verdictOf } from './types.js';

test('verdict: blocking failures make a host unusable, other failures degraded, warnings stay ready', () => {
  assert.equal(verdictOf([check('host.cores', 'warn', 's'), check('power.battery', 'warn', 's')]), 'ready');
  assert.equal(verdictOf([check('kvm.works', 'fail', 's'), check('host.cores', 'warn', 's')]), 'degraded');
  assert.equal(verdictOf([check('kvm.works', 'fail', 's'), check('host.memory', 'fail', 's')]), 'unusable');
  assert.equal(verdictOf([check('libvirt.daemon', 'fail', 's')]), 'unusable');
  assert.equal(verdictOf([]), 'ready');
});
