import type {
  CpuSpec,
  DevicesSpec,
  DiskSpec,
  DomainSpec,
  FeaturesSpec,
  HypervSpec,
  InterfaceSpec,
  LifecycleAction,
  OsSpec,
  PhyllomeMetadata,
  TimerSpec,
} from '../spec.js';
import { HYPERV_ENLIGHTENMENTS } from '../spec.js';
import { LIBOSINFO_NS, PHYLLOME_NS } from './build-domain.js';
import {
  child,
  childrenNamed,
  intAttr,
  textOf,
  unknownChildren,
  yesNo,
  type XmlNode,
} from '../../xml/node.js';
import { parseXml, XmlParseError } from '../../xml/parse.js';

function toKiB(node: XmlNode | undefined): number | undefined {
  if (!node?.text) return undefined;
  const n = Number(node.text);
  const unit = (node.attrs.unit ?? 'KiB').toLowerCase();
  const factor: Record<string, number> = {
    b: 1 / 1024,
    bytes: 1 / 1024,
    k: 1,
    kib: 1,
    kb: 1000 / 1024,
    m: 1024,
    mib: 1024,
    g: 1048576,
    gib: 1048576,
  };
  return Math.round(n * (factor[unit] ?? 1));
}

function parseMetadata(node: XmlNode | undefined): DomainSpec['metadata'] {
  const out: DomainSpec['metadata'] = { extra: [] };
  for (const c of node?.children ?? []) {
    const local = c.name.split(':').pop();
    const ns = Object.entries(c.attrs).find(([k]) => k.startsWith('xmlns'))?.[1];
    if (local === 'libosinfo' && ns === LIBOSINFO_NS) {
      const os = c.children.find((x) => x.name.endsWith(':os') || x.name === 'os');
      if (os?.attrs.id) out.libosinfoId = os.attrs.id;
    } else if (local === 'vm' && ns === PHYLLOME_NS) {
      const prefix = c.name.includes(':') ? c.name.split(':')[0] + ':' : '';
      const opts = child(c, `${prefix}options`);
      const meta: PhyllomeMetadata = {
        profile: textOf(c, `${prefix}profile`) ?? '',
        os: textOf(c, `${prefix}os`) ?? '',
        modelVersion: Number(textOf(c, `${prefix}model-version`) ?? 0),
        options: Object.fromEntries(
          childrenNamed(opts, `${prefix}option`).map((o) => [o.attrs.name ?? '', o.text ?? '']),
        ),
      };
      const known = ['profile', 'os', 'model-version', 'options'].map((k) => prefix + k);
      const extra = c.children.filter((x) => !known.includes(x.name));
      if (extra.length) meta.extra = extra;
      out.phyllome = meta;
    } else out.extra.push(c);
  }
  return out;
}

function parseOs(node: XmlNode | undefined): OsSpec {
  const type = child(node, 'type');
  const fw = child(node, 'firmware');
  const loader = child(node, 'loader');
  const o: OsSpec = {
    arch: type?.attrs.arch ?? 'x86_64',
    machine: type?.attrs.machine ?? '',
    boot: childrenNamed(node, 'boot').map((b) => b.attrs.dev as OsSpec['boot'][number]),
    extra: [],
  };
  const firmware = node?.attrs.firmware;
  if (firmware === 'efi' || firmware === 'bios') o.firmware = firmware;
  if (fw) {
    const feat = (n: string): boolean =>
      childrenNamed(fw, 'feature').find((f) => f.attrs.name === n)?.attrs.enabled === 'yes';
    o.firmwareFeatures = { secureBoot: feat('secure-boot'), enrolledKeys: feat('enrolled-keys') };
  }
  const known = ['type', 'firmware', 'kernel', 'initrd', 'cmdline', 'boot'];
  // A loader with only `secure` is ours; one with a path or other attributes is kept as is.
  if (loader && Object.keys(loader.attrs).every((k) => k === 'secure') && !loader.text) {
    o.loaderSecure = yesNo(loader.attrs.secure) ?? false;
    known.push('loader');
  }
  const kernel = textOf(node, 'kernel');
  const initrd = textOf(node, 'initrd');
  const cmdline = textOf(node, 'cmdline');
  if (kernel !== undefined) o.kernel = kernel;
  if (initrd !== undefined) o.initrd = initrd;
  if (cmdline !== undefined) o.cmdline = cmdline;
  o.extra = unknownChildren(node, known);
  return o;
}

/** The on/off enlightenments (spinlocks also carries a retry count). */
const HYPERV_FLAGS = HYPERV_ENLIGHTENMENTS.filter((k) => k !== 'spinlocks');

function parseFeatures(node: XmlNode | undefined): FeaturesSpec {
  const f: FeaturesSpec = {
    acpi: Boolean(child(node, 'acpi')),
    apic: Boolean(child(node, 'apic')),
    extra: [],
  };
  const known = ['acpi', 'apic'];
  const smm = child(node, 'smm');
  if (smm && smm.children.length === 0) {
    f.smm = smm.attrs.state !== 'off';
    known.push('smm');
  }
  const vmport = child(node, 'vmport');
  if (vmport?.attrs.state === 'off') {
    f.vmportOff = true;
    known.push('vmport');
  }
  const hv = child(node, 'hyperv');
  const hvKnown = ['spinlocks', ...HYPERV_FLAGS] as string[];
  if (
    hv &&
    hv.attrs.mode !== 'passthrough' &&
    hv.children.every((c) => hvKnown.includes(c.name) && c.children.length === 0)
  ) {
    const h: HypervSpec = {};
    for (const k of HYPERV_FLAGS) {
      const c = child(hv, k);
      if (c) h[k] = c.attrs.state === 'on';
    }
    const spin = child(hv, 'spinlocks');
    if (spin) h.spinlocks = intAttr(spin, 'retries') ?? 8191;
    f.hyperv = h;
    known.push('hyperv');
  }
  f.extra = unknownChildren(node, known);
  return f;
}

function parseCpu(node: XmlNode | undefined): CpuSpec {
  const topo = child(node, 'topology');
  const c: CpuSpec = {
    mode: (node?.attrs.mode as CpuSpec['mode'] | undefined) ?? 'custom',
    topology: {
      sockets: intAttr(topo, 'sockets') ?? 1,
      dies: intAttr(topo, 'dies') ?? 1,
      cores: intAttr(topo, 'cores') ?? 1,
      threads: intAttr(topo, 'threads') ?? 1,
    },
    features: childrenNamed(node, 'feature').map((f) => ({
      policy: (f.attrs.policy as CpuSpec['features'][number]['policy'] | undefined) ?? 'require',
      name: f.attrs.name ?? '',
    })),
    extra: unknownChildren(node, ['model', 'topology', 'feature']),
  };
  const model = textOf(node, 'model');
  if (model !== undefined) c.model = model;
  const mig = node?.attrs.migratable;
  if (mig !== undefined) c.migratable = mig === 'on';
  return c;
}

function parseDisk(d: XmlNode): DiskSpec {
  const driver = child(d, 'driver');
  const target = child(d, 'target');
  const disk: DiskSpec = {
    device: d.attrs.device === 'cdrom' ? 'cdrom' : 'disk',
    bus: (target?.attrs.bus as DiskSpec['bus'] | undefined) ?? 'virtio',
    target: target?.attrs.dev ?? '',
    extra: unknownChildren(d, ['driver', 'source', 'target', 'readonly']),
  };
  const src = child(d, 'source')?.attrs.file;
  if (src !== undefined) disk.source = src;
  const t = driver?.attrs.type;
  if (t === 'qcow2' || t === 'raw') disk.format = t;
  if (driver?.attrs.cache) disk.cache = driver.attrs.cache as DiskSpec['cache'];
  if (driver?.attrs.io) disk.io = driver.attrs.io as DiskSpec['io'];
  if (driver?.attrs.discard) disk.discard = driver.attrs.discard as DiskSpec['discard'];
  if (child(d, 'readonly')) disk.readonly = true;
  return disk;
}

function parseInterface(i: XmlNode): InterfaceSpec {
  const out: InterfaceSpec = {
    type: i.attrs.type === 'user' ? 'user' : 'network',
    model: child(i, 'model')?.attrs.type ?? 'virtio',
    extra: unknownChildren(i, ['mac', 'source', 'backend', 'model']),
  };
  const mac = child(i, 'mac')?.attrs.address;
  const net = child(i, 'source')?.attrs.network;
  if (mac) out.mac = mac;
  if (net) out.network = net;
  if (child(i, 'backend')?.attrs.type === 'passt') out.backend = 'passt';
  return out;
}

/** Device kinds parsed into typed fields; a device of a known kind with an unexpected shape is kept raw. */
function parseDevices(node: XmlNode | undefined): DevicesSpec {
  const d: DevicesSpec = {
    disks: [],
    controllers: [],
    interfaces: [],
    graphics: [],
    videos: [],
    inputs: [],
    memballoon: { model: 'none' },
    channels: [],
    serials: [],
    consoles: [],
    extra: [],
  };
  let sawBalloon = false;
  for (const c of node?.children ?? []) {
    const simple = c.children.length === 0;
    switch (c.name) {
      case 'emulator':
        d.emulator = c.text ?? '';
        continue;
      case 'disk':
        if (c.attrs.type === 'file' && (c.attrs.device === 'disk' || c.attrs.device === 'cdrom')) {
          d.disks.push(parseDisk(c));
          continue;
        }
        break;
      case 'controller':
        if (simple) {
          const ctl: DevicesSpec['controllers'][number] = { type: c.attrs.type ?? '' };
          if (c.attrs.index !== undefined) ctl.index = Number(c.attrs.index);
          if (c.attrs.model !== undefined) ctl.model = c.attrs.model;
          if (c.attrs.ports !== undefined) ctl.ports = Number(c.attrs.ports);
          d.controllers.push(ctl);
          continue;
        }
        break;
      case 'interface':
        if (c.attrs.type === 'network' || c.attrs.type === 'user') {
          d.interfaces.push(parseInterface(c));
          continue;
        }
        break;
      case 'channel': {
        const t = child(c, 'target');
        if (
          (c.attrs.type === 'unix' || c.attrs.type === 'spicevmc') &&
          c.children.length === 1 &&
          t?.attrs.type === 'virtio'
        ) {
          d.channels.push({ type: c.attrs.type, name: t.attrs.name ?? '' });
          continue;
        }
        break;
      }
      case 'serial':
        if (c.attrs.type === 'pty' && c.children.every((x) => x.name === 'log')) {
          const log = child(c, 'log')?.attrs.file;
          d.serials.push(log ? { type: 'pty', log } : { type: 'pty' });
          continue;
        }
        break;
      case 'console': {
        const t = child(c, 'target')?.attrs.type;
        if (c.attrs.type === 'pty' && c.children.length === 1 && (t === 'serial' || t === 'virtio')) {
          d.consoles.push({ type: 'pty', target: t });
          continue;
        }
        break;
      }
      case 'input':
        if (simple) {
          d.inputs.push({ type: c.attrs.type as 'tablet', bus: c.attrs.bus as 'usb' });
          continue;
        }
        break;
      case 'tpm': {
        const b = child(c, 'backend');
        if (b?.attrs.type === 'emulator' && c.children.length === 1 && b.children.length === 0) {
          d.tpm = {
            model: c.attrs.model === 'tpm-tis' ? 'tpm-tis' : 'tpm-crb',
            version: b.attrs.version === '1.2' ? '1.2' : '2.0',
          };
          continue;
        }
        break;
      }
      case 'graphics': {
        const l = child(c, 'listen');
        const gl = child(c, 'gl');
        if (
          (c.attrs.type === 'spice' || c.attrs.type === 'vnc') &&
          l &&
          c.children.every((x) => x.name === 'listen' || x.name === 'gl')
        ) {
          const g: DevicesSpec['graphics'][number] = {
            type: c.attrs.type,
            listen: l.attrs.type === 'none' ? 'none' : l.attrs.type === 'socket' ? 'socket' : 'address',
          };
          if (l.attrs.address) g.address = l.attrs.address;
          if (l.attrs.socket) g.socket = l.attrs.socket;
          if (gl?.attrs.rendernode) g.gl = { renderNode: gl.attrs.rendernode };
          d.graphics.push(g);
          continue;
        }
        break;
      }
      case 'video': {
        const m = child(c, 'model');
        if (m && c.children.length === 1 && m.children.every((x) => x.name === 'acceleration')) {
          const v: DevicesSpec['videos'][number] = { model: m.attrs.type ?? 'vga' };
          if (m.attrs.heads) v.heads = Number(m.attrs.heads);
          if (m.attrs.primary) v.primary = m.attrs.primary === 'yes';
          const acc = child(m, 'acceleration');
          if (acc) v.accel3d = acc.attrs.accel3d === 'yes';
          d.videos.push(v);
          continue;
        }
        break;
      }
      case 'memballoon':
        if (simple && !sawBalloon) {
          sawBalloon = true;
          d.memballoon = { model: c.attrs.model === 'virtio' ? 'virtio' : 'none' };
          if (c.attrs.autodeflate) d.memballoon.autodeflate = c.attrs.autodeflate === 'on';
          if (c.attrs.freePageReporting) d.memballoon.freePageReporting = c.attrs.freePageReporting === 'on';
          continue;
        }
        break;
      case 'rng': {
        const b = child(c, 'backend');
        if (c.attrs.model === 'virtio' && c.children.length === 1 && b?.attrs.model === 'random') {
          d.rng = { model: 'virtio', source: b.text ?? '/dev/urandom' };
          continue;
        }
        break;
      }
    }
    d.extra.push(c);
  }
  return d;
}

const KNOWN_TOP = [
  'name',
  'uuid',
  'title',
  'description',
  'metadata',
  'memory',
  'currentMemory',
  'memoryBacking',
  'vcpu',
  'os',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'pm',
  'devices',
];

/** Parses libvirt domain XML into a spec; anything not modelled is kept in the `extra` lists. */
export function parseDomainXml(xml: string): DomainSpec {
  const root = parseXml(xml, 'the domain XML');
  if (root.name !== 'domain') throw new XmlParseError('the domain XML (the root element is not <domain>)');
  const mb = child(root, 'memoryBacking');
  const clock = child(root, 'clock');
  const pm = child(root, 'pm');
  const known = [...KNOWN_TOP];
  const spec: DomainSpec = {
    type: root.attrs.type === 'kvm' ? 'kvm' : 'qemu',
    name: textOf(root, 'name') ?? '',
    metadata: parseMetadata(child(root, 'metadata')),
    memoryKiB: toKiB(child(root, 'memory')) ?? 0,
    vcpus: Number(textOf(root, 'vcpu') ?? 1),
    os: parseOs(child(root, 'os')),
    features: parseFeatures(child(root, 'features')),
    cpu: parseCpu(child(root, 'cpu')),
    clock: {
      offset: clock?.attrs.offset === 'localtime' ? 'localtime' : 'utc',
      timers: childrenNamed(clock, 'timer').map((t) => {
        const timer: TimerSpec = { name: t.attrs.name as TimerSpec['name'] };
        if (t.attrs.tickpolicy) timer.tickpolicy = t.attrs.tickpolicy as TimerSpec['tickpolicy'];
        if (t.attrs.present) timer.present = t.attrs.present === 'yes';
        return timer;
      }),
    },
    onPoweroff: (textOf(root, 'on_poweroff') as LifecycleAction | undefined) ?? 'destroy',
    onReboot: (textOf(root, 'on_reboot') as LifecycleAction | undefined) ?? 'restart',
    onCrash: (textOf(root, 'on_crash') as LifecycleAction | undefined) ?? 'destroy',
    devices: parseDevices(child(root, 'devices')),
    extra: [],
  };
  for (const k of ['uuid', 'title', 'description'] as const) {
    const v = textOf(root, k);
    if (v !== undefined) spec[k] = v;
  }
  const cur = toKiB(child(root, 'currentMemory'));
  if (cur !== undefined) spec.currentMemoryKiB = cur;
  if (mb) {
    const src = child(mb, 'source')?.attrs.type;
    const access = child(mb, 'access')?.attrs.mode;
    if ((src === 'memfd' || src === 'file' || src === 'anonymous') && mb.children.length === 2 && access)
      spec.memoryBacking = { source: src, access: access === 'shared' ? 'shared' : 'private' };
    else known.splice(known.indexOf('memoryBacking'), 1);
  }
  if (pm)
    spec.pm = {
      suspendToMem: child(pm, 'suspend-to-mem')?.attrs.enabled === 'yes',
      suspendToDisk: child(pm, 'suspend-to-disk')?.attrs.enabled === 'yes',
    };
  spec.extra = unknownChildren(root, known);
  return spec;
}
