import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseMethod, parseSourceDisk, targetVolumeXml } from './disk-copy.js';

const overlay = `<volume type='file'><name>o.qcow2</name><capacity unit='bytes'>21474836480</capacity>
<allocation unit='bytes'>200704</allocation><target><path>/p/o.qcow2</path><format type='qcow2'/></target>
<backingStore><path>/p/base.qcow2</path><format type='qcow2'/></backingStore></volume>`;
const raw = `<volume type='file'><name>r.raw</name><capacity unit='bytes'>1048576</capacity>
<allocation unit='bytes'>4096</allocation><target><path>/p/r.raw</path><format type='raw'/></target></volume>`;

test('the source XML gives format, sizes and the backing file of an overlay', () => {
  assert.deepEqual(parseSourceDisk(overlay), {
    format: 'qcow2',
    capacity: 21474836480n,
    allocation: 200704n,
    backing: '/p/base.qcow2',
  });
  assert.equal(parseSourceDisk(raw).backing, undefined);
});

test('a byte copy only when the format stays and nothing must be flattened', () => {
  assert.equal(chooseMethod(parseSourceDisk(raw), 'raw'), 'sparse-stream');
  assert.equal(chooseMethod(parseSourceDisk(raw), 'qcow2'), 'create-from');
  assert.equal(chooseMethod(parseSourceDisk(overlay), 'qcow2'), 'create-from');
  assert.equal(chooseMethod({ ...parseSourceDisk(overlay), backing: undefined }, 'qcow2'), 'sparse-stream');
});

test('a byte copy starts from an empty raw file; create-from gets the format and capacity', () => {
  assert.match(
    targetVolumeXml('a&b', 'qcow2', 10n, 'sparse-stream'),
    /<name>a&amp;b<\/name><capacity unit='bytes'>0<.*<format type='raw'\/>/,
  );
  assert.match(
    targetVolumeXml('c', 'qcow2', 10n, 'create-from'),
    /<capacity unit='bytes'>10<.*<format type='qcow2'\/>/,
  );
});
