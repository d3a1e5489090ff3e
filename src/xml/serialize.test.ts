import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { el } from './node.js';
import { parseXml } from './parse.js';
import { serializeXml } from './serialize.js';

describe('XML serializer', () => {
  it('escapes text and attributes, drops undefined attributes, writes yes/no', () => {
    const xml = serializeXml(
      el('a', { x: `<'&">`, y: undefined, z: true }, [el('b', {}, '1 < 2 & 3'), el('c')]),
    );
    assert.equal(xml, "<a x='&lt;&apos;&amp;&quot;&gt;' z='yes'>\n  <b>1 &lt; 2 &amp; 3</b>\n  <c/>\n</a>\n");
    const back = parseXml(xml);
    assert.equal(back.attrs.x, `<'&">`);
    assert.equal(back.children[0]?.text, '1 < 2 & 3');
  });
  it('rejects malformed XML with a typed error', () => {
    assert.throws(() => parseXml('<a><b></a>'), { code: 'invalid-xml' });
  });
});
