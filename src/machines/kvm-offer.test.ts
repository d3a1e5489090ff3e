import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCapabilityFixture } from '../../test/fixtures/model/read.js';
import { hostOffer, notOfferedVerdict } from './kvm-offer.js';

const read = readCapabilityFixture;

describe('what a host offers before the remote boot test', () => {
  it('a host whose libvirt offers kvm is boot-tested (no verdict yet)', () => {
    const offer = hostOffer(read('this-host-capabilities.xml'));
    assert.equal(offer.hostUuid, '0e0ea039-38e0-41f9-bc1e-4b412bd100e0');
    assert.deepEqual([...offer.domainTypes].sort(), ['kvm', 'qemu']);
    assert.equal(notOfferedVerdict(offer, 'kvm'), undefined);
    assert.equal(notOfferedVerdict(offer, 'qemu'), undefined);
  });

  it('a host without kvm gets "not offered" at once: unavailable, not usable, naming what it offers', () => {
    const offer = hostOffer(read('no-kvm-capabilities.xml'));
    assert.deepEqual(offer.domainTypes, ['qemu']);
    const v = notOfferedVerdict(offer, 'kvm');
    assert.equal(v?.state, 'unavailable');
    assert.equal(v?.usable, false);
    assert.equal(v?.cached, false);
    assert.match(v?.summary ?? '', /does not offer KVM: guests will be emulated/);
    assert.equal(v?.detail, 'its capabilities list only qemu for x86_64 guests');
    assert.equal(notOfferedVerdict(offer, 'qemu'), undefined);
  });
});
