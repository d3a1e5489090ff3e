import { child, childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';

/** The parts of `virsh domcapabilities` (for one domain type, machine and arch) the model uses. */
export interface DomainCapabilities {
  domainType: string;
  machine: string;
  arch: string;
  maxVcpus?: number;
  firmwareValues: string[];
  loaderPaths: string[];
  loaderSecure: string[];
  cpuModes: { hostPassthrough: boolean; hostModel: boolean; maximum: boolean; custom: boolean };
  /** CPU models usable in custom mode. */
  usableCpuModels: string[];
  memoryBackingSources: string[];
  diskBuses: string[];
  graphicsTypes: string[];
  videoModels: string[];
  rngBackends: string[];
  filesystemDrivers: string[];
  /** `<interface type='user'>` backends (libvirt ≥ 10 reports them); undefined when not reported. */
  netBackends?: string[];
  tpm: { supported: boolean; models: string[]; backends: string[]; versions: string[] };
  /** undefined: libvirt did not say (older libvirt); otherwise the Hyper-V features QEMU supports. */
  hyperv?: { supported: boolean; features: string[] };
  features: Record<string, boolean>;
}

function enumValues(node: XmlNode | undefined, name: string): string[] {
  const e = childrenNamed(node, 'enum').find((x) => x.attrs.name === name);
  return childrenNamed(e, 'value').map((v) => v.text ?? '');
}

function supported(node: XmlNode | undefined): boolean {
  return node?.attrs.supported === 'yes';
}

/** Parses libvirt's domain capabilities XML (pure). */
export function parseDomainCapabilities(xml: string): DomainCapabilities {
  const root = parseXml(xml, 'libvirt domain capabilities');
  const os = child(root, 'os');
  const loader = child(os, 'loader');
  const cpu = child(root, 'cpu');
  const mode = (name: string): XmlNode | undefined =>
    childrenNamed(cpu, 'mode').find((m) => m.attrs.name === name);
  const devices = child(root, 'devices');
  const dev = (name: string): XmlNode | undefined => child(devices, name);
  const tpm = dev('tpm');
  const features = child(root, 'features');
  const hv = child(features, 'hyperv');
  const vcpu = child(root, 'vcpu');
  const caps: DomainCapabilities = {
    domainType: child(root, 'domain')?.text ?? 'qemu',
    machine: child(root, 'machine')?.text ?? '',
    arch: child(root, 'arch')?.text ?? '',
    firmwareValues: supported(os) ? enumValues(os, 'firmware') : [],
    loaderPaths: supported(loader) ? childrenNamed(loader, 'value').map((v) => v.text ?? '') : [],
    loaderSecure: enumValues(loader, 'secure'),
    cpuModes: {
      hostPassthrough: supported(mode('host-passthrough')),
      hostModel: supported(mode('host-model')),
      maximum: supported(mode('maximum')),
      custom: supported(mode('custom')),
    },
    usableCpuModels: childrenNamed(mode('custom'), 'model')
      .filter((m) => m.attrs.usable === 'yes')
      .map((m) => m.text ?? ''),
    memoryBackingSources: enumValues(child(root, 'memoryBacking'), 'sourceType'),
    diskBuses: enumValues(dev('disk'), 'bus'),
    graphicsTypes: enumValues(dev('graphics'), 'type'),
    videoModels: enumValues(dev('video'), 'modelType'),
    rngBackends: enumValues(dev('rng'), 'backendModel'),
    filesystemDrivers: enumValues(dev('filesystem'), 'driverType'),
    tpm: {
      supported: supported(tpm),
      models: enumValues(tpm, 'model'),
      backends: enumValues(tpm, 'backendModel'),
      versions: enumValues(tpm, 'backendVersion'),
    },
    features: Object.fromEntries(
      (features?.children ?? []).filter((f) => f.name !== 'hyperv').map((f) => [f.name, supported(f)]),
    ),
  };
  if (vcpu?.attrs.max) caps.maxVcpus = Number(vcpu.attrs.max);
  const iface = dev('interface');
  if (iface) caps.netBackends = enumValues(iface, 'backendType');
  if (hv) caps.hyperv = { supported: supported(hv), features: enumValues(hv, 'features') };
  return caps;
}
