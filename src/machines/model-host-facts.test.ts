import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kvmFacts, notTestedVerdict, remoteHostOf } from './model-host-facts.js';

describe('which host a connection reaches', () => {
  it('a host-less unix URI is this machine', () => {
    for (const uri of ['qemu:///system', 'qemu:///session', 'qemu+unix:///system?socket=/tmp/s'])
      assert.equal(remoteHostOf(uri), undefined, uri);
  });
  it('ssh and tcp are remote, even to localhost', () => {
    assert.equal(remoteHostOf('qemu+ssh://root@far.example/system?keyfile=/k'), 'far.example');
    assert.equal(remoteHostOf('qemu+tcp://10.1.2.3:16509/system'), '10.1.2.3');
    assert.equal(remoteHostOf('qemu+tcp://localhost/system'), 'localhost');
    assert.equal(remoteHostOf('qemu+tcp:///system'), 'localhost');
  });
  it('a remote host that was not boot-tested: KVM unknown, "not tested on HOST"', () => {
    assert.deepEqual(kvmFacts(true, notTestedVerdict('far')), {
      offered: true,
      works: 'unknown',
      reason: 'not tested on far',
    });
  });
});
