/**
 * The bundle's `domain.xml` (docs/bundle-format.md): the VM's own part of its libvirt description —
 * name, UUID, Phyllome's metadata, memory, vCPUs, disk targets, network interfaces with their MACs —
 * and nothing of the host it ran on (no domain type, emulator, file paths, host CPU or firmware paths).
 * Read back strictly: only those elements and attributes, no DOCTYPE, entity or processing instruction.
 */
import { PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { validateName } from '../model/options.js';
import type { DomainSpec } from '../model/spec.js';
import { usbRuleElement, usbRuleOf, type UsbRuleSpec } from '../machines/usb-rule-metadata.js';
import { el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { BundleInvalidError } from './errors.js';
import { HOST_PATH_OPTIONS, type BundleVm } from './manifest.js';

export interface VmDescription extends BundleVm {
  memoryKiB: number;
  vcpus: number;
  disks: { target: string; bus: DiskBus }[];
  interfaces: { mac: string; network: string }[];
  /** The VM's USB rules (its Phyllome metadata): they go where it goes. */
  usbRules: UsbRuleSpec[];
}

const BUSES = ['virtio', 'sata', 'ide', 'scsi', 'usb'] as const;
type DiskBus = (typeof BUSES)[number];

/** What a bundle says of a VM, from its parsed domain; undefined fields are refused (not Phyllome's VM). */
export function describeVm(spec: DomainSpec, usbRules: UsbRuleSpec[] = []): VmDescription {
  const meta = spec.metadata.phyllome;
  if (!meta) throw new RangeError(`${spec.name} has no Phyllome metadata`);
  if (!spec.uuid) throw new RangeError(`${spec.name} has no UUID`);
  return {
    name: spec.name,
    uuid: spec.uuid,
    profile: meta.profile,
    os: meta.os,
    modelVersion: meta.modelVersion,
    options: Object.fromEntries(
      Object.entries(meta.options).filter(([k]) => !HOST_PATH_OPTIONS.includes(k) && k !== 'session'),
    ),
    memoryKiB: spec.memoryKiB,
    vcpus: spec.vcpus,
    disks: spec.devices.disks
      .filter((d) => d.device === 'disk')
      .map((d) => ({ target: d.target, bus: d.bus })),
    interfaces: spec.devices.interfaces
      .filter((i) => i.type === 'network' && i.mac && i.network)
      .map((i) => ({ mac: i.mac!, network: i.network! })),
    usbRules,
  };
}

export function descriptionXml(d: VmDescription): string {
  return serializeXml(
    el('domain', {}, [
      el('name', {}, d.name),
      el('uuid', {}, d.uuid),
      el('metadata', {}, [
        el('phyllome:vm', { 'xmlns:phyllome': PHYLLOME_NS }, [
          el('phyllome:profile', {}, d.profile),
          el('phyllome:os', {}, d.os),
          el('phyllome:model-version', {}, String(d.modelVersion)),
          el(
            'phyllome:options',
            {},
            Object.keys(d.options)
              .sort()
              .map((k) => el('phyllome:option', { name: k }, d.options[k] ?? '')),
          ),
          ...(d.usbRules.length
            ? [
                el(
                  'phyllome:usb-rules',
                  {},
                  d.usbRules.map((r) => usbRuleElement('phyllome:usb-rule', r)),
                ),
              ]
            : []),
        ]),
      ]),
      el('memory', { unit: 'KiB' }, String(d.memoryKiB)),
      el('vcpu', {}, String(d.vcpus)),
      el('devices', {}, [
        ...d.disks.map((x) => el('disk', { device: 'disk' }, [el('target', { dev: x.target, bus: x.bus })])),
        ...d.interfaces.map((i) =>
          el('interface', { type: 'network' }, [
            el('mac', { address: i.mac }),
            el('source', { network: i.network }),
          ]),
        ),
      ]),
    ]),
  );
}

/** Elements of a libvirt domain that only a host has: named in the refusal, since they are the likely attack. */
const HOST_ONLY: Record<string, string> = {
  emulator: 'an emulator path',
  source: 'a host path',
  loader: 'a firmware path',
  nvram: 'a UEFI variable store path',
  kernel: 'a kernel path',
  initrd: 'an initrd path',
  cpu: 'a host CPU model',
  os: 'host boot settings',
};

const invalid = (why: string) => new BundleInvalidError(`Its domain.xml ${why}`);

/** Checks an element has exactly the allowed attributes and children (by name), naming the first stranger. */
function shape(node: XmlNode, where: string, attrs: readonly string[], children: readonly string[]): void {
  const attr = Object.keys(node.attrs).find((a) => !attrs.includes(a));
  if (attr !== undefined) throw invalid(`has an attribute it may not have: ${where} ${attr}`);
  for (const c of node.children)
    if (!children.includes(c.name)) {
      const host = HOST_ONLY[c.name];
      throw invalid(
        host
          ? `names ${host} (<${c.name}> in ${where}): a bundle carries none`
          : `has an element it may not have: <${c.name}> in ${where}`,
      );
    }
}

function one(node: XmlNode, name: string, where: string): XmlNode {
  const found = node.children.filter((c) => c.name === name);
  if (found.length !== 1) throw invalid(`must have one <${name}> in ${where}, not ${found.length}`);
  return found[0]!;
}

function value(node: XmlNode, re: RegExp, what: string): string {
  const v = node.text ?? '';
  if (!re.test(v)) throw invalid(`has a ${what} that is not allowed: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

function attr(node: XmlNode, name: string, re: RegExp, what: string): string {
  const v = node.attrs[name] ?? '';
  if (!re.test(v)) throw invalid(`has a ${what} that is not allowed: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

const WORD = /^[A-Za-z0-9._+-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const TARGET = /^[sv]d[a-z]{1,2}$/;
// eslint-disable-next-line no-control-regex
const OPTION_VALUE = /^[^<>&"'\u0000-\u001f\u007f]{0,256}$/;
const MAX_DEVICES = 32;

/** Reads a bundle's domain.xml; throws BundleInvalidError naming the first thing not allowed. */
export function readDescription(xml: string): VmDescription {
  // Before any parser sees it: no DOCTYPE (external entities), no entity references at all, no
  // processing instruction but the XML declaration, no CDATA or comments.
  const body = xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '');
  if (/<!/.test(body))
    throw invalid('has a <!DOCTYPE>, <!ENTITY>, comment or CDATA section: a bundle has none');
  if (body.includes('<?')) throw invalid('has a processing instruction: a bundle has none');
  if (body.includes('&')) throw invalid('has an entity reference (&): a bundle has none');
  const root = parseXml(body, "the bundle's domain.xml");
  if (root.name !== 'domain') throw invalid(`is not a <domain> but a <${root.name}>`);
  shape(root, '<domain>', [], ['name', 'uuid', 'metadata', 'memory', 'vcpu', 'devices']);
  const name = value(one(root, 'name', '<domain>'), /^.{1,63}$/, 'name');
  try {
    validateName(name);
  } catch (err) {
    throw new BundleInvalidError(
      `Its domain.xml has a name that is not a VM name: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const metadata = one(root, 'metadata', '<domain>');
  shape(metadata, '<metadata>', [], ['phyllome:vm']);
  const vm = one(metadata, 'phyllome:vm', '<metadata>');
  shape(
    vm,
    '<phyllome:vm>',
    ['xmlns:phyllome'],
    ['phyllome:profile', 'phyllome:os', 'phyllome:model-version', 'phyllome:options', 'phyllome:usb-rules'],
  );
  if (vm.attrs['xmlns:phyllome'] !== PHYLLOME_NS)
    throw invalid(`has Phyllome's metadata in another namespace`);
  const opts = one(vm, 'phyllome:options', '<phyllome:vm>');
  shape(opts, '<phyllome:options>', [], ['phyllome:option']);
  if (opts.children.length > 32) throw invalid('has more than 32 options');
  const options: Record<string, string> = {};
  for (const o of opts.children) {
    shape(o, '<phyllome:option>', ['name'], []);
    const k = attr(o, 'name', WORD, 'option name');
    if (HOST_PATH_OPTIONS.includes(k))
      throw invalid(`names a host path (the ${k} option): a bundle carries none`);
    if (k in options) throw invalid(`has the ${k} option twice`);
    options[k] = value(o, OPTION_VALUE, `${k} option`);
  }
  const rulesNode = vm.children.filter((c) => c.name === 'phyllome:usb-rules');
  if (rulesNode.length > 1) throw invalid('has two <phyllome:usb-rules>');
  if (rulesNode[0]) shape(rulesNode[0], '<phyllome:usb-rules>', [], ['phyllome:usb-rule']);
  const usbRules = (rulesNode[0]?.children ?? []).map((r) => {
    shape(r, '<phyllome:usb-rule>', ['vendor', 'product', 'serial'], []);
    const rule = usbRuleOf(r);
    if (!rule) throw invalid(`has a USB rule that is not one: ${JSON.stringify(r.attrs).slice(0, 120)}`);
    return rule;
  });
  if (usbRules.length > 32) throw invalid('has more than 32 USB rules');
  const modelVersion = Number(
    value(one(vm, 'phyllome:model-version', '<phyllome:vm>'), /^[1-9]\d{0,5}$/, 'model version'),
  );
  const memory = one(root, 'memory', '<domain>');
  shape(memory, '<memory>', ['unit'], []);
  if (memory.attrs.unit !== 'KiB') throw invalid('has a memory size not in KiB');
  const devices = one(root, 'devices', '<domain>');
  shape(devices, '<devices>', [], ['disk', 'interface']);
  if (devices.children.length > MAX_DEVICES) throw invalid(`has more than ${MAX_DEVICES} devices`);
  const disks = devices.children
    .filter((c) => c.name === 'disk')
    .map((d) => {
      shape(d, '<disk>', ['device'], ['target']);
      if (d.attrs.device !== 'disk') throw invalid('has a device that is not a disk in a <disk>');
      const t = one(d, 'target', '<disk>');
      shape(t, '<target>', ['dev', 'bus'], []);
      return {
        target: attr(t, 'dev', TARGET, 'disk target'),
        bus: attr(t, 'bus', new RegExp(`^(${BUSES.join('|')})$`), 'disk bus') as DiskBus,
      };
    });
  if (new Set(disks.map((d) => d.target)).size !== disks.length)
    throw invalid('has two disks with one target');
  const interfaces = devices.children
    .filter((c) => c.name === 'interface')
    .map((i) => {
      shape(i, '<interface>', ['type'], ['mac', 'source']);
      if (i.attrs.type !== 'network') throw invalid('has an interface that is not on a libvirt network');
      const mac = one(i, 'mac', '<interface>');
      shape(mac, '<mac>', ['address'], []);
      const src = one(i, 'source', '<interface>');
      shape(src, '<source>', ['network'], []);
      return {
        mac: attr(mac, 'address', MAC, 'MAC address'),
        network: attr(src, 'network', WORD, 'network name'),
      };
    });
  return {
    name,
    uuid: value(one(root, 'uuid', '<domain>'), UUID, 'UUID'),
    profile: value(one(vm, 'phyllome:profile', '<phyllome:vm>'), WORD, 'profile'),
    os: value(one(vm, 'phyllome:os', '<phyllome:vm>'), WORD, 'OS id'),
    modelVersion,
    options,
    memoryKiB: Number(value(memory, /^[1-9]\d{0,12}$/, 'memory size')),
    vcpus: Number(value(one(root, 'vcpu', '<domain>'), /^[1-9]\d{0,3}$/, 'vCPU count')),
    disks,
    interfaces,
    usbRules,
  };
}
