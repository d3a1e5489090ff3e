import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PhyllomeError } from '../../errors.js';
import { modelConnectionUri } from './model-connection.js';

const USER = 1000;
const ROOT = 0;

function fails(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('the connection for os explain / vm create', () => {
  it('without --session: --connect, else the default', () => {
    assert.equal(modelConnectionUri('qemu+tcp://h/system', false, {}, ROOT), 'qemu+tcp://h/system');
    assert.equal(modelConnectionUri(undefined, false, {}, ROOT), 'qemu:///system');
    assert.equal(modelConnectionUri(undefined, false, {}, USER), 'qemu:///session');
  });
  it('--session is qemu:///session for a user, even when root would default to system', () => {
    assert.equal(modelConnectionUri(undefined, true, {}, USER), 'qemu:///session');
    assert.equal(
      modelConnectionUri(undefined, true, { PHYLLO_CONNECT: 'qemu:///session' }, USER),
      'qemu:///session',
    );
    assert.equal(
      modelConnectionUri('qemu+ssh://me@h/session', true, {}, ROOT),
      'qemu+ssh://me@h/session',
      "a remote user's session daemon is fine from root here",
    );
  });
  it('a session VM as root on this machine is refused with the reason, --session or qemu:///session', () => {
    fails(
      () => modelConnectionUri(undefined, true, {}, ROOT),
      'session-as-root',
      /root has no session daemon/,
    );
    fails(
      () => modelConnectionUri('qemu:///session', false, {}, ROOT),
      'session-as-root',
      /qemu:\/\/\/session\) is refused as root/,
    );
  });
  it('--session with a URI that is not a session URI names both', () => {
    fails(
      () => modelConnectionUri('qemu:///system', true, {}, USER),
      'session-uri-mismatch',
      /--session .* but --connect qemu:\/\/\/system is not a session URI/,
    );
    fails(
      () => modelConnectionUri(undefined, true, { PHYLLO_CONNECT: 'qemu+tcp://h/system' }, USER),
      'session-uri-mismatch',
      /PHYLLO_CONNECT=qemu\+tcp:\/\/h\/system is not a session URI/,
    );
  });
});
