import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhyllomeError } from '../errors.js';
import {
  ErrorCode,
  isNotFound,
  LibvirtError,
  xremoteError,
  ConnectionClosedError,
  DaemonNotRunningError,
} from './errors.js';
import { hex } from './fake-daemon.js';
import { decodeWith, encodeWith } from './xdr.js';

test('remote_error decodes every field', () => {
  const err = {
    code: 42,
    domain: 10,
    message: "Domain not found: no domain with matching name 'x'",
    level: 2,
    dom: { name: 'x', uuid: Buffer.alloc(16, 0xab), id: -1 },
    str1: 'Domain not found: %s',
    str2: "no domain with matching name 'x'",
    str3: null,
    int1: -1,
    int2: -1,
    net: { name: 'default', uuid: Buffer.alloc(16, 1) },
  };
  const wire = encodeWith(xremoteError, err);
  assert.deepEqual(decodeWith(xremoteError, wire), err);
  const e = new LibvirtError(decodeWith(xremoteError, wire), 'DomainLookupByName');
  assert.ok(e instanceof PhyllomeError);
  assert.equal(e.code, 'libvirt-error');
  assert.equal(e.libvirtCode, ErrorCode.NO_DOMAIN);
  assert.equal(e.libvirtDomain, 10);
  assert.equal(e.remote.str1, 'Domain not found: %s');
  assert.equal(e.procedure, 'DomainLookupByName');
  assert.ok(isNotFound(e));
});

test('a NULL message and NULL pointers decode from annotated bytes', () => {
  const wire = hex(`
    00000027            # code 39 RPC
    00000007            # domain 7 RPC
    00000000            # message NULL
    00000002            # level ERROR
    00000000            # dom NULL
    00000001 00000003 61626300  # str1 "abc"
    00000000 00000000   # str2, str3 NULL
    ffffffff 00000005   # int1 -1, int2 5
    00000000            # net NULL
  `);
  const r = decodeWith(xremoteError, wire);
  assert.deepEqual(r, {
    code: 39,
    domain: 7,
    message: null,
    level: 2,
    dom: null,
    str1: 'abc',
    str2: null,
    str3: null,
    int1: -1,
    int2: 5,
    net: null,
  });
  const e = new LibvirtError(r);
  assert.match(e.message, /libvirt error 39/);
  assert.equal(isNotFound(e), false);
});

test('connection errors have stable codes and actionable hints', () => {
  assert.equal(new ConnectionClosedError().code, 'libvirt-connection-closed');
  const d = new DaemonNotRunningError('/run/x', 'Start it with `sudo systemctl start libvirtd`.');
  assert.equal(d.code, 'libvirt-daemon-not-running');
  assert.match(d.hint ?? '', /sudo systemctl start libvirtd/);
  assert.equal(isNotFound(new Error('x')), false);
});
