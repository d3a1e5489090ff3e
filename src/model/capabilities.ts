import { child, childrenNamed, textOf } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';

export interface GuestArchCapabilities {
  osType: string;
  arch: string;
  emulator?: string;
  /** Machine type names, aliases (`q35`, `pc`) included. */
  machines: { name: string; canonical?: string; maxCpus?: number; deprecated?: boolean }[];
  /** Domain types libvirt offers for this guest: `qemu`, `kvm`. */
  domainTypes: string[];
}

/** The parts of `virsh capabilities` the model uses. */
export interface HostCapabilities {
  arch: string;
  cpuModel?: string;
  cpuVendor?: string;
  topology?: { sockets: number; dies: number; cores: number; threads: number };
  guests: GuestArchCapabilities[];
}

/** Parses libvirt's host capabilities XML (pure). */
export function parseCapabilities(xml: string): HostCapabilities {
  const root = parseXml(xml, 'libvirt capabilities');
  const cpu = child(child(root, 'host'), 'cpu');
  const topo = child(cpu, 'topology');
  const caps: HostCapabilities = {
    arch: textOf(cpu, 'arch') ?? 'x86_64',
    cpuModel: textOf(cpu, 'model'),
    cpuVendor: textOf(cpu, 'vendor'),
    guests: childrenNamed(root, 'guest').map((g) => {
      const arch = child(g, 'arch');
      return {
        osType: textOf(g, 'os_type') ?? 'hvm',
        arch: arch?.attrs.name ?? '',
        emulator: textOf(arch, 'emulator'),
        machines: childrenNamed(arch, 'machine').map((m) => ({
          name: m.text ?? '',
          ...(m.attrs.canonical ? { canonical: m.attrs.canonical } : {}),
          ...(m.attrs.maxCpus ? { maxCpus: Number(m.attrs.maxCpus) } : {}),
          ...(m.attrs.deprecated === 'yes' ? { deprecated: true } : {}),
        })),
        domainTypes: childrenNamed(arch, 'domain').map((d) => d.attrs.type ?? ''),
      };
    }),
  };
  if (topo)
    caps.topology = {
      sockets: Number(topo.attrs.sockets ?? 1),
      dies: Number(topo.attrs.dies ?? 1),
      cores: Number(topo.attrs.cores ?? 1),
      threads: Number(topo.attrs.threads ?? 1),
    };
  return caps;
}

/** The x86_64 hardware-virtual-machine guest entry: the one Phyllome's guests use. */
export function x86Guest(caps: HostCapabilities): GuestArchCapabilities | undefined {
  return caps.guests.find((g) => g.arch === 'x86_64' && g.osType === 'hvm');
}
