import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vendorOf } from './assemble-host-facts.js';
import { loadFirmwareDescriptors } from './firmware-descriptors.js';
import type { MachineTypeFact, ModelHostFacts } from './host-facts.js';

function read(root: string, rel: string): string | undefined {
  try {
    return readFileSync(join(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/** libvirt's cached QEMU capabilities name the canonical q35/pc machines; read them without a connection. */
function machinesFromLibvirtCache(root: string): MachineTypeFact[] {
  const dir = 'var/cache/libvirt/qemu/capabilities';
  let names: string[] = [];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    names = [];
  }
  for (const n of names) {
    // The file is ~230 KB; search the bytes instead of decoding it all into a string.
    let buf: Buffer;
    try {
      buf = readFileSync(join(root, dir, n));
    } catch {
      continue;
    }
    const out: MachineTypeFact[] = [];
    for (const alias of ['q35', 'pc']) {
      const at = buf.indexOf(`' alias='${alias}'`);
      if (at < 0) continue;
      const start = buf.lastIndexOf("name='", at);
      if (start >= 0) out.push({ name: alias, canonical: buf.toString('latin1', start + 6, at) });
    }
    if (out.length) return out;
  }
  return [
    { name: 'q35', canonical: 'pc-q35-*' },
    { name: 'pc', canonical: 'pc-i440fx-*' },
  ];
}

/**
 * Host facts from files alone (no libvirt, no boot test): the CLI's stand-in until the host probes
 * and the libvirt client provide the real thing. KVM counts as not boot-tested, so the model
 * chooses TCG; domain capabilities are unknown, so the model uses its permissive defaults.
 */
export function hostFactsFromSystem(options: { root?: string; session?: boolean } = {}): ModelHostFacts {
  const root = options.root ?? '/';
  const cpuinfo = read(root, 'proc/cpuinfo') ?? '';
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1];
  const processors = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || 1;
  const coresPerSocket = Number(field('cpu cores') ?? processors);
  const siblings = Number(field('siblings') ?? coresPerSocket);
  const threadsPerCore = Math.max(1, Math.round(siblings / coresPerSocket));
  const memKiB = Number(/^MemTotal:\s*(\d+)/m.exec(read(root, 'proc/meminfo') ?? '')?.[1] ?? 0);
  const kvmNode = existsSync(join(root, 'dev/kvm'));
  const nested = ['sys/module/kvm_intel/parameters/nested', 'sys/module/kvm_amd/parameters/nested'].some(
    (p) => /^[Y1]/.test(read(root, p) ?? ''),
  );
  const render = join(root, 'dev/dri/renderD128');
  const bin = (name: string): boolean =>
    ['usr/bin', 'usr/local/bin'].some((d) => existsSync(join(root, d, name)));
  const facts: ModelHostFacts = {
    arch: 'x86_64',
    cpuVendor: vendorOf(field('vendor_id')),
    cores: Math.max(1, Math.round(processors / threadsPerCore)),
    threadsPerCore,
    memoryKiB: memKiB,
    kvm: {
      offered: kvmNode,
      works: 'unknown',
      reason: kvmNode ? '/dev/kvm exists but no boot test ran' : '/dev/kvm is missing',
    },
    nested,
    firmware: loadFirmwareDescriptors(root),
    swtpm: bin('swtpm'),
    passt: bin('passt'),
    session: options.session ?? false,
    machines: machinesFromLibvirtCache(root),
    domainCaps: {},
  };
  if (existsSync(render)) facts.renderNode = '/dev/dri/renderD128';
  return facts;
}
