import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleHostFacts, type HostProbeFacts } from '../../src/model/assemble-host-facts.js';
import { parseCapabilities } from '../../src/model/capabilities.js';
import { parseDomainCapabilities } from '../../src/model/domain-capabilities.js';
import { loadFirmwareDescriptors, type FirmwareDescriptor } from '../../src/host/firmware-descriptors.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';

/** test/fixtures/model, from dist/test/model/ or test/model/. */
export const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
  'test',
  'fixtures',
  'model',
);

export const HOST_FIXTURES = ['kvm-intel-render', 'kvm-amd', 'no-kvm', 'this-host'] as const;
export type HostFixture = (typeof HOST_FIXTURES)[number];

export const FIRST_CLASS = [
  'linux',
  'linux-5.4',
  'windows-11',
  'windows-10',
  'windows-server-2022',
  'reactos',
  'freebsd',
  'darwin',
  'phyllome',
] as const;

interface FixtureFile {
  capabilities: string;
  domainCaps: { qemu?: string; kvm?: string };
  firmwareRoot: string;
  probes: Omit<HostProbeFacts, 'firmware'>;
}

export function fixtureText(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}

/** Builds host facts the way the coordinator's glue will: parsed libvirt XML + probe values. */
export function loadHost(name: HostFixture, overrides: Partial<HostProbeFacts> = {}): ModelHostFacts {
  const f = JSON.parse(fixtureText(join('hosts', `${name}.json`))) as FixtureFile;
  const dc: ModelHostFacts['domainCaps'] = {};
  if (f.domainCaps.qemu) dc.qemu = parseDomainCapabilities(fixtureText(f.domainCaps.qemu));
  if (f.domainCaps.kvm) dc.kvm = parseDomainCapabilities(fixtureText(f.domainCaps.kvm));
  return assembleHostFacts(
    { ...f.probes, firmware: loadFirmwareDescriptors(join(FIXTURES, f.firmwareRoot)), ...overrides },
    parseCapabilities(fixtureText(f.capabilities)),
    dc,
  );
}

/** The firmware descriptors of a fixture host (every fixture has them; only a remote host's are unknown). */
export function descriptorsOf(host: ModelHostFacts): FirmwareDescriptor[] {
  if (host.firmware === 'unknown') throw new Error('this host has no known firmware descriptors');
  return host.firmware;
}
