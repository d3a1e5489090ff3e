import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vendorOf } from './assemble-host-facts.js';

test("libvirt's CPU vendor: Intel, AMD (and Hygon, an AMD design); anything else is unknown, not Intel", () => {
  assert.equal(vendorOf('Intel'), 'intel');
  assert.equal(vendorOf('AMD'), 'amd');
  assert.equal(vendorOf('Hygon'), 'amd');
  assert.equal(vendorOf('VIA'), 'unknown');
  assert.equal(vendorOf(''), 'unknown');
  assert.equal(vendorOf(undefined), 'unknown');
});
