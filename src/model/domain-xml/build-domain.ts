import { HYPERV_ENLIGHTENMENTS, type DevicesSpec, type DomainSpec, type HypervSpec } from '../spec.js';
import { el, type XmlNode } from '../../xml/node.js';
import { serializeXml } from '../../xml/serialize.js';

export const PHYLLOME_NS = 'https://phyllo.me/xmlns/vm/1.0';
export const LIBOSINFO_NS = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

function metadata(spec: DomainSpec): XmlNode | undefined {
  const m = spec.metadata;
  const kids: XmlNode[] = [];
  if (m.libosinfoId)
    kids.push(
      el('libosinfo:libosinfo', { 'xmlns:libosinfo': LIBOSINFO_NS }, [
        el('libosinfo:os', { id: m.libosinfoId }),
      ]),
    );
  if (m.phyllome) {
    const p = m.phyllome;
    kids.push(
      el('phyllome:vm', { 'xmlns:phyllome': PHYLLOME_NS }, [
        el('phyllome:profile', {}, p.profile),
        el('phyllome:os', {}, p.os),
        el('phyllome:model-version', {}, String(p.modelVersion)),
        el(
          'phyllome:options',
          {},
          Object.keys(p.options)
            .sort()
            .map((k) => el('phyllome:option', { name: k }, p.options[k] ?? '')),
        ),
        ...(p.extra ?? []),
      ]),
    );
  }
  kids.push(...m.extra);
  return kids.length ? el('metadata', {}, kids) : undefined;
}

function os(spec: DomainSpec): XmlNode {
  const o = spec.os;
  return el('os', { firmware: o.firmware === 'efi' ? 'efi' : undefined }, [
    el('type', { arch: o.arch, machine: o.machine }, 'hvm'),
    o.firmwareFeatures &&
      el('firmware', {}, [
        el('feature', { enabled: o.firmwareFeatures.enrolledKeys, name: 'enrolled-keys' }),
        el('feature', { enabled: o.firmwareFeatures.secureBoot, name: 'secure-boot' }),
      ]),
    o.loaderSecure !== undefined && el('loader', { secure: o.loaderSecure }),
    o.kernel !== undefined && el('kernel', {}, o.kernel),
    o.initrd !== undefined && el('initrd', {}, o.initrd),
    o.cmdline !== undefined && el('cmdline', {}, o.cmdline),
    ...o.boot.map((dev) => el('boot', { dev })),
    ...o.extra,
  ]);
}

function hyperv(h: HypervSpec): XmlNode {
  return el(
    'hyperv',
    { mode: 'custom' },
    HYPERV_ENLIGHTENMENTS.filter((k) => h[k] !== undefined).map((k) =>
      k === 'spinlocks'
        ? el('spinlocks', { state: 'on', retries: h.spinlocks })
        : el(k, { state: h[k] ? 'on' : 'off' }),
    ),
  );
}

function features(spec: DomainSpec): XmlNode {
  const f = spec.features;
  return el('features', {}, [
    f.acpi && el('acpi'),
    f.apic && el('apic'),
    f.hyperv && hyperv(f.hyperv),
    f.vmportOff && el('vmport', { state: 'off' }),
    f.smm !== undefined && el('smm', { state: f.smm ? 'on' : 'off' }),
    ...f.extra,
  ]);
}

function cpu(spec: DomainSpec): XmlNode {
  const c = spec.cpu;
  const t = c.topology;
  return el(
    'cpu',
    {
      mode: c.mode,
      check: c.mode === 'custom' ? 'none' : undefined,
      migratable: c.migratable === undefined ? undefined : c.migratable ? 'on' : 'off',
    },
    [
      c.model !== undefined && el('model', { fallback: 'forbid' }, c.model),
      el('topology', { sockets: t.sockets, dies: t.dies, cores: t.cores, threads: t.threads }),
      ...c.features.map((f) => el('feature', { policy: f.policy, name: f.name })),
      ...c.extra,
    ],
  );
}

function devices(d: DevicesSpec): XmlNode {
  return el('devices', {}, [
    d.emulator !== undefined && el('emulator', {}, d.emulator),
    ...d.disks.map((x) =>
      el('disk', { type: 'file', device: x.device }, [
        el('driver', { name: 'qemu', type: x.format ?? 'raw', cache: x.cache, io: x.io, discard: x.discard }),
        x.source !== undefined && el('source', { file: x.source }),
        el('target', { dev: x.target, bus: x.bus }),
        x.readonly && el('readonly'),
        ...x.extra,
      ]),
    ),
    ...d.controllers.map((c) =>
      el('controller', { type: c.type, index: c.index, model: c.model, ports: c.ports }),
    ),
    ...d.interfaces.map((i) =>
      el('interface', { type: i.type }, [
        i.mac !== undefined && el('mac', { address: i.mac }),
        i.network !== undefined && el('source', { network: i.network }),
        i.backend && el('backend', { type: i.backend }),
        el('model', { type: i.model }),
        ...i.extra,
      ]),
    ),
    ...d.channels.map((c) =>
      el('channel', { type: c.type }, [el('target', { type: 'virtio', name: c.name })]),
    ),
    ...d.serials.map((s) =>
      el('serial', { type: s.type }, [s.log !== undefined && el('log', { file: s.log, append: 'off' })]),
    ),
    ...d.consoles.map((c) => el('console', { type: c.type }, [el('target', { type: c.target })])),
    ...d.inputs.map((i) => el('input', { type: i.type, bus: i.bus })),
    d.tpm && el('tpm', { model: d.tpm.model }, [el('backend', { type: 'emulator', version: d.tpm.version })]),
    ...d.graphics.map((g) =>
      el('graphics', { type: g.type, autoport: g.listen === 'address' ? true : undefined }, [
        el('listen', { type: g.listen, address: g.address, socket: g.socket }),
        g.gl && el('gl', { enable: true, rendernode: g.gl.renderNode }),
      ]),
    ),
    ...d.videos.map((v) =>
      el('video', {}, [
        el('model', { type: v.model, heads: v.heads, primary: v.primary }, [
          v.accel3d !== undefined && el('acceleration', { accel3d: v.accel3d }),
        ]),
      ]),
    ),
    el('memballoon', {
      model: d.memballoon.model,
      autodeflate:
        d.memballoon.autodeflate === undefined ? undefined : d.memballoon.autodeflate ? 'on' : 'off',
      freePageReporting:
        d.memballoon.freePageReporting === undefined
          ? undefined
          : d.memballoon.freePageReporting
            ? 'on'
            : 'off',
    }),
    d.rng && el('rng', { model: d.rng.model }, [el('backend', { model: 'random' }, d.rng.source)]),
    ...d.extra,
  ]);
}

/** The domain as an element tree, in a fixed order. */
export function domainToNode(spec: DomainSpec): XmlNode {
  return el('domain', { type: spec.type }, [
    el('name', {}, spec.name),
    spec.uuid !== undefined && el('uuid', {}, spec.uuid),
    spec.title !== undefined && el('title', {}, spec.title),
    spec.description !== undefined && el('description', {}, spec.description),
    metadata(spec),
    el('memory', { unit: 'KiB' }, String(spec.memoryKiB)),
    el('currentMemory', { unit: 'KiB' }, String(spec.currentMemoryKiB ?? spec.memoryKiB)),
    spec.memoryBacking &&
      el('memoryBacking', {}, [
        el('source', { type: spec.memoryBacking.source }),
        el('access', { mode: spec.memoryBacking.access }),
      ]),
    el('vcpu', { placement: 'static' }, String(spec.vcpus)),
    os(spec),
    features(spec),
    cpu(spec),
    el(
      'clock',
      { offset: spec.clock.offset },
      spec.clock.timers.map((t) =>
        el('timer', { name: t.name, tickpolicy: t.tickpolicy, present: t.present }),
      ),
    ),
    el('on_poweroff', {}, spec.onPoweroff),
    el('on_reboot', {}, spec.onReboot),
    el('on_crash', {}, spec.onCrash),
    spec.pm &&
      el('pm', {}, [
        el('suspend-to-mem', { enabled: spec.pm.suspendToMem }),
        el('suspend-to-disk', { enabled: spec.pm.suspendToDisk }),
      ]),
    devices(spec.devices),
    ...spec.extra,
  ]);
}

/** Libvirt domain XML for a spec: deterministic, two-space indented. */
export function buildDomainXml(spec: DomainSpec): string {
  return serializeXml(domainToNode(spec));
}
