import { test } from 'node:test';
import assert from 'node:assert/strict';
import { volumeMtimeMs } from './boot-test-pool.js';

test("a volume's mtime is read from its XML timestamps, in ms", () => {
  const xml = `<volume type='file'><target><path>/p</path><timestamps>
      <atime>1764617000.5</atime><mtime>1764616000.123456789</mtime><ctime>1764616001.0</ctime>
    </timestamps></target></volume>`;
  assert.equal(volumeMtimeMs(xml), 1764616000123);
  assert.equal(
    volumeMtimeMs('<volume><target><timestamps><mtime>17</mtime></timestamps></target></volume>'),
    17000,
  );
  assert.equal(volumeMtimeMs("<volume type='network'/>"), undefined);
});
