import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Codec,
  decodeWith,
  encodeWith,
  XdrError,
  xarray,
  xbool,
  xdouble,
  xfixedArray,
  xfixedOpaque,
  xhyper,
  xint,
  xopaque,
  xoptional,
  xstring,
  xstruct,
  xuhyper,
  xuint,
  xunion,
  xvoid,
  XdrReader,
  XdrWriter,
} from './xdr.js';
import { hex } from './fake-daemon.js';

function roundTrip<T>(codec: Codec<T>, value: T, expectedHex: string): void {
  const bytes = encodeWith(codec, value);
  assert.equal(bytes.toString('hex'), hex(expectedHex).toString('hex'));
  assert.deepEqual(decodeWith(codec, bytes), value);
}

test('int and unsigned int are 4 big-endian bytes, with range checks', () => {
  roundTrip(xint, -1, 'ffffffff');
  roundTrip(xint, 0x7fffffff, '7fffffff');
  roundTrip(xint, -0x80000000, '80000000');
  roundTrip(xuint, 0xffffffff, 'ffffffff');
  assert.throws(() => encodeWith(xint, 0x80000000), XdrError);
  assert.throws(() => encodeWith(xuint, -1), XdrError);
  assert.throws(() => encodeWith(xint, 1.5), XdrError);
});

test('hyper and unsigned hyper are BigInt, negative and beyond 2^53', () => {
  roundTrip(xhyper, -2n, 'fffffffffffffffe');
  roundTrip(xhyper, -(2n ** 63n), '8000000000000000');
  roundTrip(xhyper, 2n ** 53n + 1n, '0020000000000001');
  roundTrip(xuhyper, 2n ** 64n - 1n, 'ffffffffffffffff');
  roundTrip(xuhyper, 9000000n, '0000000000895440'); // libvirt 9.0.0 as seen on the wire
});

test('bool decodes any nonzero as true; double is IEEE big-endian', () => {
  roundTrip(xbool, true, '00000001');
  roundTrip(xbool, false, '00000000');
  assert.equal(decodeWith(xbool, hex('01000000')), true);
  roundTrip(xdouble, 1.5, '3ff8000000000000');
  roundTrip(xdouble, -0.1, 'bfb999999999999a');
});

test('strings and variable opaque are length-prefixed and zero-padded', () => {
  roundTrip(xstring(), '', '00000000');
  roundTrip(xstring(), 'abc', '00000003 61626300');
  roundTrip(xstring(), 'abcd', '00000004 61626364');
  roundTrip(xstring(), 'é', '00000002 c3a90000');
  roundTrip(xopaque(), Buffer.from([1, 2, 3, 4, 5]), '00000005 0102030405000000');
  assert.throws(() => encodeWith(xstring(2), 'abc'), XdrError);
  assert.throws(() => decodeWith(xstring(2), hex('00000003 61626300')), XdrError);
});

test('fixed opaque is unprefixed (uuid[16])', () => {
  const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  roundTrip(xfixedOpaque(16), uuid, '00112233445566778899aabbccddeeff');
  roundTrip(xfixedOpaque(3), Buffer.from([9, 8, 7]), '09080700');
  assert.throws(() => encodeWith(xfixedOpaque(16), Buffer.alloc(15)), XdrError);
});

test('char model[32] is a fixed array of 32 ints: 128 bytes', () => {
  const model = [...'x86_64'].map((c) => c.charCodeAt(0)).concat(new Array<number>(26).fill(0));
  const bytes = encodeWith(xfixedArray(xint, 32), model);
  assert.equal(bytes.length, 128);
  assert.equal(bytes.subarray(0, 8).toString('hex'), '0000007800000038');
  assert.deepEqual(decodeWith(xfixedArray(xint, 32), bytes), model);
});

test('optional pointers: 0 = NULL, 1 + value', () => {
  roundTrip(xoptional(xstring()), null, '00000000');
  roundTrip(xoptional(xstring()), 'qemu:///system', '00000001 0000000e 71656d753a2f2f2f73797374656d0000');
  roundTrip(xoptional(xint), 0, '00000001 00000000');
});

test('variable arrays carry a count and honour their maximum', () => {
  roundTrip(xarray(xint, 20), [0, 2], '00000002 00000000 00000002');
  roundTrip(xarray(xint), [], '00000000');
  assert.throws(() => encodeWith(xarray(xint, 1), [1, 2]), XdrError);
  assert.throws(() => decodeWith(xarray(xint, 1), hex('00000002 00000001 00000002')), XdrError);
});

test('structs keep field order; unions select their arm by discriminant', () => {
  const s = xstruct({ a: xint, b: xstring(), c: xuhyper });
  roundTrip(s, { a: 7, b: 'x', c: 1n }, '00000007 00000001 78000000 0000000000000001');
  const u = xunion({ 1: xint, 7: xstring(), 9: xvoid });
  roundTrip(u, { tag: 1, value: -5 }, '00000001 fffffffb');
  roundTrip(u, { tag: 7, value: 'hi' }, '00000007 00000002 68690000');
  roundTrip(u, { tag: 9, value: undefined }, '00000009');
  assert.throws(() => decodeWith(u, hex('00000002 00000000')), /no union arm for discriminant 2/);
});

test('truncated input and trailing bytes are errors, not silent', () => {
  assert.throws(() => decodeWith(xhyper, hex('00000000')), /truncated/);
  assert.throws(() => decodeWith(xint, hex('00000001 00000002')), /trailing/);
  assert.throws(() => decodeWith(xstring(), hex('00000008 6162')), /truncated/);
});

test('values are read where they sit in a larger buffer (a frame inside a socket chunk)', () => {
  const chunk = hex('ffffffff 00000003 61626300 fffffffe 8000000000000001 3ff8000000000000 ff');
  const r = new XdrReader(chunk.subarray(4, chunk.length - 1));
  assert.equal(r.string(), 'abc');
  assert.equal(r.int(), -2);
  assert.equal(r.uhyper(), 2n ** 63n + 1n);
  assert.equal(r.double(), 1.5);
  assert.equal(r.remaining, 0);
  assert.throws(() => r.uint(), XdrError);
});

test('the writer writes every byte it returns: padding is zeroed, not left from reused memory', () => {
  const w = new XdrWriter(8);
  // Its buffer is not zeroed when made (it may come from Node's pool): make it dirty on purpose.
  (w as unknown as { buf: Buffer }).buf.fill(0xee);
  w.string('a');
  w.opaque(Buffer.from([1, 2]));
  w.fixedOpaque(Buffer.from([3]), 1);
  assert.equal(
    w.bytes().toString('hex'),
    hex('00000001 61000000 00000002 01020000 03000000').toString('hex'),
  );
});

test('strings are written in place as the UTF-8 Buffer.from gives (lone surrogates too), growing the buffer as needed', () => {
  for (const text of ['', 'é', '😀', '\ud800', 'x\udc00y', 'ü'.repeat(300)]) {
    const w = new XdrWriter(4);
    w.string(text);
    const utf8 = Buffer.from(text, 'utf8');
    const expected = Buffer.alloc(4 + ((utf8.length + 3) & ~3));
    expected.writeUInt32BE(utf8.length);
    utf8.copy(expected, 4);
    assert.equal(w.bytes().toString('hex'), expected.toString('hex'), JSON.stringify(text));
  }
  assert.throws(() => new XdrWriter().string('é', 1), XdrError);
});
