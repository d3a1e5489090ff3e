import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCapabilityFixture } from '../../test/fixtures/model/read.js';
import { parseCapabilities } from './capabilities.js';
import { parseDomainCapabilities } from './domain-capabilities.js';

const read = readCapabilityFixture;

describe('libvirt capabilities (captured on the build machine)', () => {
  it('parses host CPU, topology and guest machines', () => {
    const c = parseCapabilities(read('this-host-capabilities.xml'));
    assert.equal(c.arch, 'x86_64');
    assert.equal(c.cpuVendor, 'Intel');
    assert.deepEqual(c.topology, { sockets: 1, dies: 1, cores: 2, threads: 1 });
    const x86 = c.guests.find((g) => g.arch === 'x86_64');
    assert.deepEqual(x86?.domainTypes, ['qemu', 'kvm']);
    assert.deepEqual(
      x86?.machines.find((m) => m.name === 'q35'),
      { name: 'q35', canonical: 'pc-q35-7.2', maxCpus: 288 },
    );
    assert.deepEqual(parseCapabilities(read('no-kvm-capabilities.xml')).guests[1]?.domainTypes, ['qemu']);
  });
  it('parses domain capabilities for TCG and KVM', () => {
    const q = parseDomainCapabilities(read('this-host-domcaps-qemu.xml'));
    assert.equal(q.domainType, 'qemu');
    assert.equal(q.machine, 'pc-q35-7.2');
    assert.equal(q.maxVcpus, 288);
    assert.deepEqual(q.firmwareValues, ['efi']);
    assert.ok(q.loaderPaths.includes('/usr/share/OVMF/OVMF_CODE_4M.ms.fd'));
    assert.deepEqual(q.cpuModes, { hostPassthrough: false, hostModel: true, maximum: true, custom: true });
    assert.ok(q.usableCpuModels.includes('Nehalem'));
    assert.deepEqual(q.tpm, {
      supported: true,
      models: ['tpm-tis', 'tpm-crb'],
      backends: ['passthrough', 'emulator', 'external'],
      versions: ['1.2', '2.0'],
    });
    assert.deepEqual(q.hyperv, { supported: true, features: ['spinlocks', 'vendor_id'] });
    assert.ok(q.videoModels.includes('virtio'));
    assert.ok(q.memoryBackingSources.includes('memfd'));
    assert.equal(q.features.sev, false);
    const k = parseDomainCapabilities(read('this-host-domcaps-kvm.xml'));
    assert.equal(k.cpuModes.hostPassthrough, true);
    assert.equal(k.usableCpuModels.includes('qemu64'), false);
  });
});
