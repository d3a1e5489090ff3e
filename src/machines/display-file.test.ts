import assert from 'node:assert/strict';
import { test } from 'node:test';
import { virtViewerFile } from './display-file.js';
import { displaysFromXml } from './vm-display.js';

const live = (listen: string) =>
  `<domain><devices><graphics type='spice' port='5901' tlsPort='5902'><listen type='address' address='${listen}'/></graphics></devices></domain>`;

const keys = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

test('remote-viewer file: type, host, port and TLS port; no password key', () => {
  const [here] = displaysFromXml(live('127.0.0.1'), undefined);
  const text = virtViewerFile('web', here!, here!);
  assert.match(text, /^# .*\n\[virt-viewer\]\n/);
  assert.deepEqual(
    [...keys(text)],
    [
      ['type', 'spice'],
      ['host', '127.0.0.1'],
      ['port', '5901'],
      ['tls-port', '5902'],
      ['title', 'web'],
      ['delete-this-file', '1'],
    ],
  );
});

test('a remote host: its name when it listens on every address; loopback kept with the ssh -L tunnel as a comment', () => {
  const [anyHere] = displaysFromXml(live('0.0.0.0'), undefined);
  const [anyAway] = displaysFromXml(live('0.0.0.0'), 'nas');
  assert.equal(keys(virtViewerFile('web', anyHere!, anyAway!)).get('host'), 'nas');
  const [loHere] = displaysFromXml(live('127.0.0.1'), undefined);
  const [loAway] = displaysFromXml(live('127.0.0.1'), 'nas');
  const text = virtViewerFile('web', loHere!, loAway!);
  assert.equal(keys(text).get('host'), '127.0.0.1');
  assert.match(text, /^# .*ssh -L 5901:127\.0\.0\.1:5901 nas/m);
});

test('a name with a line break cannot add keys', () => {
  const [d] = displaysFromXml(live('127.0.0.1'), undefined);
  const text = virtViewerFile('a\npassword=x', d!, d!);
  assert.ok(!keys(text).has('password'));
  assert.equal(keys(text).get('title'), 'a?password=x');
});
