import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultUri, isLocal, parseUri } from './uri.js';
import { dialerFor } from './connect.js';
import { UnixDialer } from './dialers/unix.js';
import { SessionDialer } from './dialers/session.js';
import { SshDialer } from './dialers/ssh.js';
import { TcpDialer } from './dialers/tcp.js';

test('local URIs', () => {
  const s = parseUri('qemu:///system');
  assert.equal(s.driver, 'qemu');
  assert.equal(s.transport, undefined);
  assert.equal(s.host, undefined);
  assert.equal(s.path, '/system');
  assert.equal(s.name, 'qemu:///system');
  assert.ok(isLocal(s));
  assert.equal(parseUri('qemu:///session').name, 'qemu:///session');
  const u = parseUri('qemu+unix:///system?socket=/tmp/x.sock');
  assert.equal(u.transport, 'unix');
  assert.equal(u.params.socket, '/tmp/x.sock');
  assert.equal(u.name, 'qemu:///system');
});

test('remote URIs: tcp and ssh with parameters', () => {
  const t = parseUri('qemu+tcp://example.test:16600/system');
  assert.deepEqual([t.transport, t.host, t.port, t.name], ['tcp', 'example.test', 16600, 'qemu:///system']);
  const s = parseUri(
    'qemu+ssh://root@10.0.0.2:2222/system?keyfile=/k/id&no_verify=1&socket=/run/s&netcat=nc.openbsd&mode=legacy',
  );
  assert.deepEqual([s.transport, s.user, s.host, s.port], ['ssh', 'root', '10.0.0.2', 2222]);
  assert.deepEqual(s.params, {
    keyfile: '/k/id',
    no_verify: '1',
    socket: '/run/s',
    netcat: 'nc.openbsd',
    mode: 'legacy',
  });
  assert.equal(s.name, 'qemu:///system', 'client-side parameters are not sent to the daemon');
  assert.equal(parseUri('qemu+ssh://h/system?name=qemu:///session').name, 'qemu:///session');
  assert.equal(parseUri('qemu+ssh://[::1]/system').host, '::1');
});

test('bad URIs are rejected with a hint', () => {
  assert.throws(() => parseUri('not a uri'), /Not a libvirt URI/);
  assert.throws(() => parseUri('qemu+pigeon://h/system'), /Unknown libvirt transport/);
});

test('default URI: PHYLLO_CONNECT, else system for root, session otherwise', () => {
  assert.equal(defaultUri({ PHYLLO_CONNECT: 'qemu+ssh://h/system' }, 0), 'qemu+ssh://h/system');
  assert.equal(defaultUri({}, 0), 'qemu:///system');
  assert.equal(defaultUri({}, 1000), 'qemu:///session');
});

test('the URI picks the dialer', () => {
  assert.ok(dialerFor(parseUri('qemu:///system'), { uid: 0 }) instanceof UnixDialer);
  assert.ok(dialerFor(parseUri('qemu:///session'), { uid: 1000, env: {} }) instanceof SessionDialer);
  assert.ok(
    dialerFor(parseUri('qemu:///session'), { uid: 0 }) instanceof UnixDialer,
    'root uses the system socket',
  );
  assert.equal((dialerFor(parseUri('qemu+unix:///system?socket=/s'), { uid: 0 }) as UnixDialer).path, '/s');
  assert.ok(dialerFor(parseUri('qemu+tcp://h/system')) instanceof TcpDialer);
  assert.ok(dialerFor(parseUri('qemu+ssh://h/system')) instanceof SshDialer);
  assert.throws(() => dialerFor(parseUri('qemu+tls://h/system')), /not supported yet/);
});
