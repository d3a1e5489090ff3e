import assert from 'node:assert/strict';
import { test } from 'node:test';
import { volumeXml } from './volume-xml.js';

test('a raw volume by default; sparse, a format and permissions when asked, names escaped', () => {
  assert.equal(
    volumeXml('a&b', 10),
    `<volume type='file'><name>a&amp;b</name><capacity unit='bytes'>10</capacity><target><format type='raw'/></target></volume>`,
  );
  assert.equal(
    volumeXml('d.raw', 20n, { sparse: true, permissions: 0o600 }),
    `<volume type='file'><name>d.raw</name><capacity unit='bytes'>20</capacity><allocation unit='bytes'>0</allocation>` +
      `<target><format type='raw'/><permissions><mode>0600</mode></permissions></target></volume>`,
  );
  assert.match(
    volumeXml('q', 1, { format: 'qcow2', permissions: '<permissions><owner>0</owner></permissions>' }),
    /<format type='qcow2'\/><compat>1\.1<\/compat><permissions><owner>0<\/owner><\/permissions><\/target>/,
  );
});
