import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseUri } from '../uri.js';
import { netcatScript, remoteCommand, shellQuote, sshArgs, sshTargetFromUri } from './ssh.js';

test('ssh arguments come from the URI', () => {
  const t = sshTargetFromUri(parseUri('qemu+ssh://root@127.0.0.1:2222/system?keyfile=/tmp/k&no_verify=1'));
  const args = sshArgs(t);
  assert.deepEqual(args.slice(0, 5), ['-T', '-e', 'none', '-o', 'BatchMode=yes']);
  assert.ok(args.includes('-p') && args[args.indexOf('-p') + 1] === '2222');
  assert.ok(args.includes('-l') && args[args.indexOf('-l') + 1] === 'root');
  assert.ok(args.includes('-i') && args[args.indexOf('-i') + 1] === '/tmp/k');
  assert.ok(args.includes('StrictHostKeyChecking=no'));
  assert.equal(args.at(-2), '127.0.0.1');
  const script = execFileSync('sh', [
    '-c',
    `printf %s ${args.at(-1) ?? ''}`.replace(/^printf %s sh -c /, 'printf %s '),
  ]).toString();
  assert.match(script, /exec virt-ssh-helper 'qemu:\/\/\/system'/, 'the shell sees the URI as one word');
});

test('the remote command is valid shell and prefers virt-ssh-helper, else netcat', () => {
  const auto = remoteCommand({ host: 'h', name: "qemu:///system?x='1'" });
  execFileSync('sh', ['-n', '-c', auto]); // syntax check
  assert.match(auto, /command -v virt-ssh-helper/);
  const nc = remoteCommand({ host: 'h', name: 'qemu:///system', socket: '/run/a b' });
  assert.doesNotMatch(nc, /virt-ssh-helper/);
  assert.match(nc, /-U/);
  execFileSync('sh', ['-n', '-c', nc]);
  assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote("it's")}`]).toString(), "it's");
});

test('a channel to a socket or a TCP port on the far side: netcat there, each word quoted', () => {
  const unix = netcatScript('nc', { socket: "/var/lib/libvirt/qemu/domain-1-it's/vnc.sock" });
  execFileSync('sh', ['-n', '-c', unix]);
  assert.match(unix, /exec 'nc' \$ARG -U '\/var\/lib\/libvirt\/qemu\/domain-1-it'\\''s\/vnc\.sock'$/);
  const tcp = netcatScript('/usr/bin/nc', { host: '127.0.0.1', port: 5900 });
  execFileSync('sh', ['-n', '-c', tcp]);
  assert.match(tcp, /exec '\/usr\/bin\/nc' \$ARG '127\.0\.0\.1' 5900$/);
  // The daemon's own channel is the same netcat on the daemon's socket.
  assert.match(
    remoteCommand({ host: 'h', name: 'qemu:///system', socket: '/run/s' }),
    /-U '\\''\/run\/s'\\''/,
  );
  const args = sshArgs({ host: 'h', name: 'qemu:///system', user: 'root' }, `sh -c ${shellQuote(tcp)}`);
  assert.equal(args.at(-2), 'h');
  assert.equal(args.at(-1), `sh -c ${shellQuote(tcp)}`);
});
