import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachment, bundleFileName } from './attachment.js';

test('a bundle is saved as NAME.phyllo.tar, .tar.zst when compressed', () => {
  assert.equal(bundleFileName('web', false), 'web.phyllo.tar');
  assert.equal(bundleFileName('web', true), 'web.phyllo.tar.zst');
});

test('a plain name goes as it is; others get a safe filename and the real one in filename*', () => {
  assert.equal(attachment('web.phyllo.tar.zst'), 'attachment; filename="web.phyllo.tar.zst"');
  assert.equal(
    attachment('a "b"\\c.tar'),
    `attachment; filename="a__b__c.tar"; filename*=UTF-8''a%20%22b%22%5Cc.tar`,
  );
  assert.equal(
    attachment('café(1).tar'),
    `attachment; filename="caf__1_.tar"; filename*=UTF-8''caf%C3%A9%281%29.tar`,
  );
  // No header splitting: a line break never reaches the header.
  assert.doesNotMatch(attachment('x\r\nSet-Cookie: a=b'), /[\r\n]/);
});
