import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceUnit, systemdWord } from './install-service.js';

test('systemd words: plain ones as they are; spaces, quotes, % and $ escaped', () => {
  assert.equal(systemdWord('--listen'), '--listen');
  assert.equal(systemdWord('qemu+ssh://root@nas/system'), 'qemu+ssh://root@nas/system');
  assert.equal(systemdWord('/srv/my isos'), '"/srv/my isos"');
  assert.equal(systemdWord('a"b'), '"a\\"b"');
  assert.equal(systemdWord('50%'), '50%%');
  assert.equal(systemdWord('$HOME'), '"$$HOME"');
});

test('a user unit is wanted by default.target and waits for no system unit', () => {
  const unit = serviceUnit({
    phyllo: '/opt/phyllome/bin/phyllo',
    nodeDir: '/usr/bin',
    args: ['--connect', 'qemu:///session'],
    user: true,
    home: '/home/ann',
    readme: '/opt/phyllome/README.md',
  });
  assert.match(unit, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(unit, /^After=/m);
  assert.match(unit, /^ExecStart=\/opt\/phyllome\/bin\/phyllo serve --connect qemu:\/\/\/session$/m);
  assert.match(unit, /^Environment=HOME=\/home\/ann$/m);
});
