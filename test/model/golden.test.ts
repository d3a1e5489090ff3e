import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildModel, type ModelResult } from '../../src/model/build-model.js';
import { FIRST_CLASS, FIXTURES, loadHost } from './fixtures.js';
import { goldenCases, type GoldenCase } from './golden-cases.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = join(FIXTURES, 'golden');

function topic(r: ModelResult, t: string) {
  const d = r.decisions.find((x) => x.topic === t);
  assert.ok(d, t);
  return d;
}

function build(c: GoldenCase): ModelResult {
  const host = loadHost(c.host, {
    ...(c.options.session ? { session: true, passt: true } : {}),
    ...c.facts,
  });
  return buildModel(c.options, host, { homeDir: '/home/user' });
}

describe('golden domain XML', () => {
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true });
  for (const c of goldenCases())
    it(c.file, () => {
      const { xml } = build(c);
      const path = join(GOLDEN, c.file);
      if (UPDATE) writeFileSync(path, xml);
      assert.equal(
        xml,
        readFileSync(path, 'utf8'),
        `${c.file} changed: rerun with UPDATE_GOLDEN=1 if intended`,
      );
    });
});

describe('host adaptation', () => {
  it('never uses host-passthrough or kvm where the boot test failed', () => {
    for (const p of FIRST_CLASS) {
      const r = build({ file: '', host: 'this-host', options: { name: 'x', os: p } });
      assert.equal(r.spec.type, 'qemu');
      assert.notEqual(r.spec.cpu.mode, 'host-passthrough');
      assert.ok(
        r.warnings.some((w) => w.includes('10–50×')),
        p,
      );
    }
  });
  it('uses kvm + host-passthrough where KVM works', () => {
    const r = build({ file: '', host: 'kvm-amd', options: { name: 'x', os: 'linux' } });
    assert.equal(r.spec.type, 'kvm');
    assert.equal(r.spec.cpu.mode, 'host-passthrough');
    assert.equal(r.warnings.length, 0);
  });
  it('gives 3D only with a render node, and only with SPICE (asked for)', () => {
    const spice = { name: 'x', os: 'linux', display: 'spice' } as const;
    const intel = build({ file: '', host: 'kvm-intel-render', options: spice });
    const amd = build({ file: '', host: 'kvm-amd', options: spice });
    assert.equal(intel.spec.devices.graphics[0]?.gl?.renderNode, '/dev/dri/renderD128');
    assert.equal(intel.spec.devices.videos[0]?.accel3d, true);
    assert.equal(amd.spec.devices.graphics[0]?.gl, undefined);
    const vnc = build({ file: '', host: 'kvm-intel-render', options: { name: 'x', os: 'linux' } });
    assert.equal(vnc.spec.devices.videos[0]?.accel3d, undefined);
    assert.match(topic(vnc, 'display').reason, /3D on \/dev\/dri\/renderD128 needs --display spice/);
  });
  it('shows a VNC display by default, on a UNIX socket here; SPICE with its agent only when asked', () => {
    const r = build({ file: '', host: 'this-host', options: { name: 'x', os: 'linux' } });
    assert.deepEqual(r.spec.devices.graphics, [{ type: 'vnc', listen: 'socket' }]);
    assert.match(
      topic(r, 'display').reason,
      /^VNC: what phyllo serve’s console proxy carries to noVNC in a web page; on a UNIX socket, so only this host's users with access to it \(root\) can reach it$/,
    );
    assert.ok(!r.spec.devices.channels.some((c) => c.type === 'spicevmc'));
    const session = build({
      file: '',
      host: 'this-host',
      options: { name: 'x', os: 'linux', session: true },
    });
    assert.match(topic(session, 'display').reason, /\(your user\)/);
    const spice = build({
      file: '',
      host: 'this-host',
      options: { name: 'x', os: 'linux', display: 'spice' },
    });
    assert.deepEqual(spice.spec.devices.graphics, [
      { type: 'spice', listen: 'address', address: '127.0.0.1' },
    ]);
    assert.match(
      topic(spice, 'display').reason,
      /as asked \(for remote-viewer; phyllo serve’s console proxy for noVNC needs VNC\)/,
    );
    assert.ok(spice.spec.devices.channels.some((c) => c.type === 'spicevmc'));
  });
  it('mirrors SMT on KVM hosts', () => {
    const r = build({ file: '', host: 'kvm-intel-render', options: { name: 'x', os: 'phyllome' } });
    assert.deepEqual(r.spec.cpu.topology, { sockets: 1, dies: 1, cores: 2, threads: 2 });
    assert.deepEqual(r.spec.cpu.features, [{ policy: 'require', name: 'vmx' }]);
  });
  it('chooses Hyper-V enlightenments from the domain capabilities', () => {
    const kvm = build({ file: '', host: 'kvm-intel-render', options: { name: 'x', os: 'windows-11' } });
    assert.deepEqual(Object.keys(kvm.spec.features.hyperv ?? {}), [
      'relaxed',
      'vapic',
      'spinlocks',
      'vpindex',
      'runtime',
      'synic',
      'stimer',
      'reset',
      'frequencies',
      'tlbflush',
      'ipi',
    ]);
    const tcg = build({ file: '', host: 'this-host', options: { name: 'x', os: 'windows-11' } });
    assert.deepEqual(tcg.spec.features.hyperv, { spinlocks: 8191 });
  });
  it('Windows without drivers installs on SATA + e1000e and says how to get virtio', () => {
    const r = build({ file: '', host: 'kvm-amd', options: { name: 'x', os: 'windows-11' } });
    assert.equal(r.spec.devices.disks[0]?.bus, 'sata');
    assert.equal(r.spec.devices.interfaces[0]?.model, 'e1000e');
    assert.match(r.decisions.find((d) => d.topic === 'disk-bus')?.reason ?? '', /--drivers virtio-win\.iso/);
  });
  it('Windows with --drivers uses virtio and attaches the driver ISO', () => {
    const r = build({
      file: '',
      host: 'kvm-amd',
      options: { name: 'x', os: 'windows-11', drivers: '/d/virtio-win.iso' },
    });
    assert.equal(r.spec.devices.disks[0]?.bus, 'virtio');
    assert.equal(r.spec.devices.interfaces[0]?.model, 'virtio');
    assert.ok(r.spec.devices.disks.some((d) => d.device === 'cdrom' && d.source === '/d/virtio-win.iso'));
  });
  it('session VMs use passt when installed, system VMs the default network', () => {
    const s = build({
      file: '',
      host: 'kvm-intel-render',
      options: { name: 'x', os: 'linux', session: true },
    });
    assert.deepEqual(
      [s.spec.devices.interfaces[0]?.type, s.spec.devices.interfaces[0]?.backend],
      ['user', 'passt'],
    );
    assert.equal(s.spec.devices.disks[0]?.source, '/home/user/.local/share/libvirt/images/x.qcow2');
    const sys = build({ file: '', host: 'kvm-amd', options: { name: 'x', os: 'linux' } });
    assert.deepEqual(
      [sys.spec.devices.interfaces[0]?.type, sys.spec.devices.interfaces[0]?.network],
      ['network', 'default'],
    );
  });
  it('uses SLIRP where libvirt does not list the passt backend (libvirt 9.0 rejects it)', () => {
    const r = build({ file: '', host: 'this-host', options: { name: 'x', os: 'linux', session: true } });
    assert.equal(r.spec.devices.interfaces[0]?.type, 'user');
    assert.equal(r.spec.devices.interfaces[0]?.backend, undefined);
    assert.match(r.decisions.find((d) => d.topic === 'nic')?.reason ?? '', /does not list the passt backend/);
  });
  it('leaves the host a quarter of its memory', () => {
    const r = build({ file: '', host: 'no-kvm', options: { name: 'x', os: 'phyllome' } });
    assert.equal(r.spec.memoryKiB, 12288 * 1024);
    assert.match(r.decisions.find((d) => d.topic === 'memory')?.reason ?? '', /host keeps 4096/);
  });
});
