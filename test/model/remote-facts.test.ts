/**
 * The model on a host whose files cannot be read (a remote one): facts libvirt cannot tell are
 * "unknown", and each decision then takes the safe choice and says "unknown on HOST".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PhyllomeError } from '../../src/errors.js';
import { buildModel } from '../../src/model/build-model.js';
import { loadHost } from './fixtures.js';

const remote = (overrides = {}) =>
  loadHost('kvm-intel-render', {
    remoteHost: 'far',
    firmware: 'unknown',
    nested: 'unknown',
    renderNode: 'unknown',
    passt: 'unknown',
    ...overrides,
  });

function topic(r: ReturnType<typeof buildModel>, t: string) {
  const d = r.decisions.find((x) => x.topic === t);
  assert.ok(d, t);
  return d;
}

describe('unknown facts on a remote host', () => {
  it('firmware from the domain capabilities: Secure Boot asked of libvirt there', () => {
    const r = buildModel({ name: 'w', os: 'windows-11' }, remote());
    assert.equal(r.spec.os.firmware, 'efi');
    assert.deepEqual(r.spec.os.firmwareFeatures, { secureBoot: true, enrolledKeys: true });
    assert.equal(r.spec.os.loaderSecure, true);
    assert.match(
      topic(r, 'firmware').reason,
      /chosen by libvirt on far.*enrolled Microsoft keys are unknown on far/,
    );
  });
  it('Linux: plain UEFI there, S3/S4 off (firmware features unknown); no GL without a known render node', () => {
    const r = buildModel({ name: 'l', os: 'linux' }, remote());
    assert.deepEqual(r.spec.os.firmwareFeatures, { secureBoot: false, enrolledKeys: false });
    assert.equal(r.spec.devices.graphics[0]?.gl, undefined);
    assert.deepEqual(r.spec.pm, { suspendToMem: false, suspendToDisk: false });
    assert.match(topic(r, 'power').reason, /unknown on far/);

    assert.deepEqual(r.spec.devices.graphics, [{ type: 'vnc', listen: 'address', address: '127.0.0.1' }]);
    assert.match(
      topic(r, 'display').reason,
      /on the loopback address of far, which phyllo serve reaches over SSH/,
    );
    const spice = buildModel({ name: 'l', os: 'linux', display: 'spice' }, remote());
    assert.match(topic(spice, 'display').reason, /render node is unknown on far, so no 3D/);
  });
  it('nested virtualization unknown: said so under KVM, and no warning that it is off', () => {
    const r = buildModel({ name: 'p', os: 'phyllome' }, remote());
    assert.equal(r.spec.type, 'kvm');
    assert.match(topic(r, 'cpu').reason, /nested virtualization is unknown on far/);
    assert.ok(!r.warnings.some((w) => w.includes('Nested virtualization is disabled')));
  });
  it('passt unknown: a session VM uses SLIRP there', () => {
    const r = buildModel({ name: 's', os: 'linux', session: true, diskSize: 'none' }, remote());
    assert.equal(r.spec.devices.interfaces[0]?.backend, undefined);
    assert.match(topic(r, 'nic').reason, /whether passt is installed is unknown on far/);
  });
  it('KVM not tested there: TCG, saying where', () => {
    const r = buildModel(
      { name: 'l', os: 'linux' },
      remote({ kvm: { offered: true, works: 'unknown', reason: 'not tested on far' } }),
    );
    assert.equal(r.spec.type, 'qemu');
    assert.match(topic(r, 'domain-type').reason, /unknown on far \(not tested on far\)/);
  });
  it('no secure loader offered there: Windows 11 is refused naming the host', () => {
    const h = remote();
    const qemu = h.domainCaps.kvm ?? h.domainCaps.qemu;
    assert.ok(qemu);
    qemu.loaderSecure = ['no'];
    assert.throws(
      () => buildModel({ name: 'w', os: 'windows-11' }, h),
      (e: unknown) => e instanceof PhyllomeError && /libvirt on far offers no secure loader/.test(e.message),
    );
  });
  it('free memory and pool space on that host become warnings', () => {
    const r = buildModel(
      { name: 'l', os: 'linux', memory: '4G', diskSize: '40G' },
      remote({
        availableMemoryKiB: 1024 * 1024,
        storagePools: [{ name: 'default', path: '/var/lib/libvirt/images', availableBytes: 5 * 1024 ** 3 }],
      }),
    );
    assert.ok(
      r.warnings.some((w) => /more than far has free now \(1024 MiB\)/.test(w)),
      r.warnings.join('\n'),
    );
    assert.ok(
      r.warnings.some((w) => /default pool on far has 5 GiB free/.test(w)),
      r.warnings.join('\n'),
    );
  });
  it('a session VM there: the new disk goes to its session daemon’s default pool, or is refused', () => {
    const pools = [{ name: 'default', path: '/home/me/.local/share/libvirt/images', availableBytes: 1e12 }];
    const r = buildModel(
      { name: 's', os: 'linux', session: true },
      remote({ session: true, storagePools: pools }),
    );
    assert.equal(r.newDisk?.path, '/home/me/.local/share/libvirt/images/s.qcow2');
    assert.throws(
      () =>
        buildModel({ name: 's', os: 'linux', session: true }, remote({ session: true, storagePools: [] })),
      (e: unknown) => e instanceof PhyllomeError && /home directory is unknown on far/.test(e.message),
    );
  });
});
