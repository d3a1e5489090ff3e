import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from './fake-daemon.js';
import { type TypedParam, typedParamsToRecord, xtypedParam, xtypedParams } from './typed-params.js';
import { decodeWith, encodeWith } from './xdr.js';

test('"bandwidth"/ULLONG encodes exactly as libvirt does', () => {
  const p: TypedParam = { field: 'bandwidth', type: 'ullong', value: 100n };
  const bytes = encodeWith(xtypedParam, p);
  assert.equal(
    bytes.toString('hex'),
    hex(`00000009 62616e6477696474 68000000  # "bandwidth" + padding
         00000004                            # ULLONG
         0000000000000064`).toString('hex'),
  );
  assert.deepEqual(decodeWith(xtypedParam, bytes), p);
});

test('all seven typed parameter types round-trip', () => {
  const params: TypedParam[] = [
    { field: 'state.state', type: 'int', value: -5 },
    { field: 'u', type: 'uint', value: 0xffffffff },
    { field: 'l', type: 'llong', value: -(2n ** 62n) },
    { field: 'ul', type: 'ullong', value: 2n ** 64n - 1n },
    { field: 'd', type: 'double', value: 3.25 },
    { field: 'b', type: 'boolean', value: true },
    { field: 's', type: 'string', value: 'migrate-uri' },
  ];
  const codec = xtypedParams(64);
  const bytes = encodeWith(codec, params);
  assert.deepEqual(decodeWith(codec, bytes), params);
  assert.deepEqual(typedParamsToRecord(params), {
    'state.state': -5,
    u: 0xffffffff,
    l: -(2n ** 62n),
    ul: 2n ** 64n - 1n,
    d: 3.25,
    b: true,
    s: 'migrate-uri',
  });
});

test('an unknown typed parameter type is rejected with the field name', () => {
  assert.throws(
    () => decodeWith(xtypedParam, hex('00000001 61000000 00000008 00000000')),
    /unknown typed parameter type 8 for field a/,
  );
});
