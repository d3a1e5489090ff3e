import type { HostProbeFacts } from '../../src/model/assemble-host-facts.js';
import type { ModelOptions } from '../../src/model/options.js';
import { FIRST_CLASS, HOST_FIXTURES, type HostFixture } from './fixtures.js';

/** One golden file: the model built for these options on this host fixture (with these facts changed). */
export interface GoldenCase {
  file: string;
  host: HostFixture;
  options: ModelOptions;
  facts?: Partial<HostProbeFacts>;
}

/** The golden cases: every first-class profile on every host fixture, plus a few option variants. */
export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const profile of FIRST_CLASS)
    for (const host of HOST_FIXTURES)
      cases.push({
        file: `${profile}-${host}.xml`,
        host,
        options: { name: `${profile}-${host}`, os: profile },
      });
  cases.push(
    {
      file: 'variant-windows-11-drivers-this-host.xml',
      host: 'this-host',
      options: {
        name: 'win11-drivers',
        os: 'windows-11',
        iso: '/srv/iso/Win11.iso',
        drivers: '/srv/iso/virtio-win.iso',
      },
    },
    {
      file: 'variant-linux-direct-kernel-this-host.xml',
      host: 'this-host',
      options: {
        name: 'linux-direct',
        os: 'linux',
        kernel: '/var/cache/phyllome/test-guest/vmlinuz',
        initrd: '/var/cache/phyllome/test-guest/initrd.img',
        memory: '1G',
        vcpus: 2,
        display: 'none',
        serialLog: '/tmp/linux-direct.log',
      },
    },
    {
      file: 'variant-fedora37-session-kvm-intel-render.xml',
      host: 'kvm-intel-render',
      options: { name: 'fedora', os: 'fedora37', session: true },
    },
    {
      file: 'variant-linux-migratable-kvm-amd.xml',
      host: 'kvm-amd',
      options: { name: 'mig', os: 'linux', migratable: true },
    },
    {
      file: 'variant-linux-spice-kvm-intel-render.xml',
      host: 'kvm-intel-render',
      options: { name: 'spice3d', os: 'linux', display: 'spice' },
    },
    {
      file: 'variant-linux-remote-kvm-amd.xml',
      host: 'kvm-amd',
      options: { name: 'far-vm', os: 'linux' },
      facts: { remoteHost: 'far' },
    },
    {
      file: 'variant-win10-vnc-kvm-amd.xml',
      host: 'kvm-amd',
      options: { name: 'win10', os: 'win10', display: 'vnc', memory: '4G' },
    },
  );
  return cases;
}
