/**
 * An OVF descriptor (DMTF DSP0243, 1.x and 2.0) read into plain facts: the files it references, its
 * disks, its one virtual system's OS section and hardware items, and the two vendor extensions that
 * matter for an import: VMware's `vmw:Config` keys and VirtualBox's `vbox:Machine` (its own settings
 * file, embedded). Namespace prefixes are dropped (OVFs differ in which they use). Nothing is
 * interpreted here; `ovf-map.ts` decides what it means for the VM. A DOCTYPE or an entity
 * declaration is refused before the XML is parsed: entities could expand or point outside the OVA.
 */
import type { XmlNode } from '../../xml/node.js';
import { parseXml } from '../../xml/parse.js';
import { OvaInvalidError, OvaUnsupportedError } from './errors.js';
import { unitBytes } from './ovf-units.js';

/** The largest OVF descriptor read (real ones are a few KiB). */
export const MAX_OVF_BYTES = 4 * 2 ** 20;

export interface OvfFile {
  id: string;
  href: string;
  size?: number;
  /** `gzip` when the file is stored compressed (not taken). */
  compression?: string;
}

export interface OvfDisk {
  diskId: string;
  fileRef?: string;
  capacityBytes: number;
  /** The format URI: `…vmdk.html#streamOptimized`. */
  format?: string;
}

/** One `<Item>` (or OVF 2.0 `<StorageItem>`/`<EthernetPortItem>`) of the hardware section. */
export interface OvfItem {
  /** CIM ResourceType: 3 CPU, 4 memory, 5 IDE, 6 SCSI, 10 NIC, 14 floppy, 15/16 CD/DVD, 17 disk, 20 SATA/NVMe, 21 serial, 23 USB, 24 video, 35 sound, 1 other. */
  resourceType: number;
  subType?: string;
  elementName?: string;
  instanceId?: string;
  parent?: string;
  hostResource?: string;
  quantity?: number;
  units?: string;
  connection?: string;
  address?: string;
  /** `ovf:required="false"`: the vendor says an importer may leave it out. */
  optional: boolean;
  /** `vmw:Config` keys inside the item. */
  config: Record<string, string>;
}

export interface VboxAdapter {
  slot: number;
  enabled: boolean;
  mac?: string;
  type?: string;
  /** How it attaches: NAT, BridgedInterface, InternalNetwork, HostOnlyInterface… */
  attachment?: string;
}

/** What VirtualBox's embedded settings (`<vbox:Machine>`) say that the OVF part does not. */
export interface VboxMachine {
  name?: string;
  osType?: string;
  /** `<Firmware type>`: BIOS, EFI, EFI32, EFI64, EFIDUAL. */
  firmware?: string;
  /** `<TrustedPlatformModule type>`: None, v1_2, v2_0. */
  tpm?: string;
  /** `<NVRAM path>`: the UEFI variable store file VirtualBox keeps beside the VM. */
  nvram?: string;
  adapters: VboxAdapter[];
  sharedFolders: string[];
  snapshots: number;
  audio: boolean;
  /** The VirtualBox-only settings present (clipboard, drag and drop, remote display…), by element name. */
  vendorOnly: string[];
}

export interface OvfDescriptor {
  /** `ovf:version` of the envelope (`1.0`, `2.0`), when given. */
  version?: string;
  /** Who wrote it, from its extensions: `virtualbox`, `vmware` or `other`. */
  vendor: 'virtualbox' | 'vmware' | 'other';
  /** The virtual system's name (`<Name>`, else its `ovf:id`). */
  name: string;
  files: OvfFile[];
  disks: OvfDisk[];
  networks: string[];
  os: { cimId?: number; description?: string; vboxType?: string; vmwareType?: string };
  /** `vssd:VirtualSystemType`: `vmx-19`, `virtualbox-2.2`. */
  systemType?: string;
  items: OvfItem[];
  /** `vmw:Config` and `vmw:ExtraConfig` keys of the hardware section (`firmware`, `bootOptions.efiSecureBootEnabled`). */
  vmwareConfig: Record<string, string>;
  virtualbox?: VboxMachine;
  /** Sections of the virtual system not read (ProductSection, EulaSection…), by name. */
  otherSections: string[];
}

const local = (name: string): string => name.slice(name.indexOf(':') + 1);
const kids = (n: XmlNode | undefined, name: string): XmlNode[] =>
  n ? n.children.filter((c) => local(c.name) === name) : [];
const kid = (n: XmlNode | undefined, name: string): XmlNode | undefined => kids(n, name)[0];
const text = (n: XmlNode | undefined, name: string): string | undefined => {
  const t = kid(n, name)?.text?.trim();
  return t === undefined || t === '' ? undefined : t;
};
/** The first element called `name` at any depth (VirtualBox 7.1 moved firmware settings under <Platform>). */
function find(n: XmlNode | undefined, name: string): XmlNode | undefined {
  for (const c of n?.children ?? []) {
    if (local(c.name) === name) return c;
    const deeper = find(c, name);
    if (deeper) return deeper;
  }
  return undefined;
}
/** An attribute by local name (`ovf:href`, `href`, `vmw:osType`). */
function attr(n: XmlNode | undefined, name: string): string | undefined {
  if (!n) return undefined;
  for (const [k, v] of Object.entries(n.attrs)) if (!k.startsWith('xmlns') && local(k) === name) return v;
  return undefined;
}

function whole(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v.trim()))
    throw new OvaInvalidError(
      `Its OVF gives ${what} as ${JSON.stringify(v.slice(0, 40))}, not a whole number`,
    );
  return Number(v.trim());
}

/** Refuses what could make the XML parser fetch or expand anything: a DOCTYPE (internal or external), an entity. */
export function checkXmlPolicy(xml: string): void {
  if (/<!DOCTYPE/i.test(xml)) throw new OvaInvalidError('Its OVF has a DOCTYPE, which an OVF never needs');
  if (/<!ENTITY/i.test(xml)) throw new OvaInvalidError('Its OVF declares an XML entity');
}

/** Parses the OVF descriptor's text; throws OvaInvalidError for anything that is not a usable OVF. */
export function parseOvf(xml: string): OvfDescriptor {
  if (Buffer.byteLength(xml) > MAX_OVF_BYTES)
    throw new OvaInvalidError(`Its OVF descriptor is larger than ${MAX_OVF_BYTES / 2 ** 20} MiB`);
  checkXmlPolicy(xml);
  let root: XmlNode;
  try {
    root = parseXml(xml, 'the OVF descriptor');
  } catch (err) {
    throw new OvaInvalidError(`Its OVF descriptor is not well-formed XML`, { cause: err });
  }
  if (local(root.name) !== 'Envelope')
    throw new OvaInvalidError(`Its OVF descriptor's root is <${root.name}>, not an OVF <Envelope>`);
  const systems = kids(root, 'VirtualSystem');
  if (kid(root, 'VirtualSystemCollection') || systems.length > 1)
    throw new OvaUnsupportedError(
      'The appliance holds several virtual machines; vm import-ova takes one',
      'Export each VM as its own appliance.',
    );
  const vs = systems[0];
  if (!vs) throw new OvaInvalidError('Its OVF descriptor has no <VirtualSystem>');

  const files = kids(kid(root, 'References'), 'File').map((f): OvfFile => {
    const id = attr(f, 'id');
    const href = attr(f, 'href');
    if (!id || !href) throw new OvaInvalidError('Its OVF has a <File> without an id or href');
    const size = whole(attr(f, 'size'), `the size of ${href}`);
    const compression = attr(f, 'compression');
    return { id, href, ...(size === undefined ? {} : { size }), ...(compression ? { compression } : {}) };
  });
  const disks = kids(kid(root, 'DiskSection'), 'Disk').map((d): OvfDisk => {
    const diskId = attr(d, 'diskId');
    if (!diskId) throw new OvaInvalidError('Its OVF has a <Disk> without a diskId');
    const raw = attr(d, 'capacity') ?? '';
    const units = attr(d, 'capacityAllocationUnits');
    const per = unitBytes(units);
    if (per === undefined)
      throw new OvaInvalidError(
        `Its OVF gives disk ${diskId}'s capacity in ${JSON.stringify(units)}, not bytes`,
      );
    const n = whole(raw, `disk ${diskId}'s capacity`) ?? 0;
    const capacityBytes = n * per;
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0)
      throw new OvaInvalidError(`Its OVF gives disk ${diskId} no usable capacity`);
    const fileRef = attr(d, 'fileRef');
    const format = attr(d, 'format');
    return { diskId, capacityBytes, ...(fileRef ? { fileRef } : {}), ...(format ? { format } : {}) };
  });
  const networks = kids(kid(root, 'NetworkSection'), 'Network')
    .map((n) => attr(n, 'name'))
    .filter((n): n is string => Boolean(n));

  const osSection = kid(vs, 'OperatingSystemSection');
  const cimId = whole(attr(osSection, 'id'), 'the OS id');
  const description = text(osSection, 'Description');
  const vboxType = text(osSection, 'OSType');
  const vmwareType = attr(osSection, 'osType');
  const hw = kid(vs, 'VirtualHardwareSection');
  if (!hw) throw new OvaInvalidError('Its OVF has no <VirtualHardwareSection>');
  const systemType = text(kid(hw, 'System'), 'VirtualSystemType');
  const items = hw.children
    .filter((c) => ['Item', 'StorageItem', 'EthernetPortItem'].includes(local(c.name)))
    .map(readItem);
  const vmwareConfig: Record<string, string> = {};
  for (const c of hw.children)
    if (['Config', 'ExtraConfig'].includes(local(c.name)) && c.name.includes(':')) {
      const key = attr(c, 'key');
      if (key) vmwareConfig[key] = attr(c, 'value') ?? '';
    }
  const machine = kid(vs, 'Machine');
  const virtualbox = machine ? readVbox(machine) : undefined;
  const known = ['Info', 'Name', 'OperatingSystemSection', 'VirtualHardwareSection', 'Machine'];
  const otherSections = vs.children.map((c) => local(c.name)).filter((n) => !known.includes(n));
  const name = text(vs, 'Name') ?? attr(vs, 'id') ?? virtualbox?.name ?? '';
  const hasVmw =
    vmwareType !== undefined ||
    Object.keys(root.attrs).some((k) => k === 'xmlns:vmw') ||
    /^vmx-/.test(systemType ?? '');
  const version = attr(root, 'version');
  return {
    ...(version ? { version } : {}),
    vendor: virtualbox || vboxType ? 'virtualbox' : hasVmw ? 'vmware' : 'other',
    name,
    files,
    disks,
    networks,
    os: {
      ...(cimId === undefined ? {} : { cimId }),
      ...(description ? { description } : {}),
      ...(vboxType ? { vboxType } : {}),
      ...(vmwareType ? { vmwareType } : {}),
    },
    ...(systemType ? { systemType } : {}),
    items,
    vmwareConfig,
    ...(virtualbox ? { virtualbox } : {}),
    otherSections,
  };
}

function readItem(item: XmlNode): OvfItem {
  const resourceType = whole(text(item, 'ResourceType'), 'an item’s ResourceType');
  if (resourceType === undefined)
    throw new OvaInvalidError('Its OVF has a hardware item without a ResourceType');
  const config: Record<string, string> = {};
  for (const c of kids(item, 'Config')) {
    const key = attr(c, 'key');
    if (key) config[key] = attr(c, 'value') ?? '';
  }
  const fields = {
    subType: text(item, 'ResourceSubType'),
    elementName: text(item, 'ElementName'),
    instanceId: text(item, 'InstanceID'),
    parent: text(item, 'Parent'),
    hostResource: text(item, 'HostResource'),
    quantity: whole(text(item, 'VirtualQuantity'), 'an item’s VirtualQuantity'),
    units: text(item, 'AllocationUnits'),
    connection: text(item, 'Connection'),
    address: text(item, 'Address'),
  };
  const out: OvfItem = { resourceType, optional: attr(item, 'required') === 'false', config };
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/** The elements of VirtualBox's settings that are its own business: named when present. */
const VBOX_ONLY = [
  'Clipboard',
  'DragAndDrop',
  'RemoteDisplay',
  'GuestProperties',
  'Paravirt',
  'RecordingSettings',
  'VideoCapture',
];

function readVbox(m: XmlNode): VboxMachine {
  const hw = kid(m, 'Hardware');
  const adapters = kids(kid(hw, 'Network'), 'Adapter').map((a): VboxAdapter => {
    const attachment = a.children.map((c) => local(c.name)).find((n) => n !== 'DisabledModes');
    const mac = attr(a, 'MACAddress');
    const type = attr(a, 'type');
    return {
      slot: Number(attr(a, 'slot') ?? 0),
      enabled: attr(a, 'enabled') === 'true',
      ...(mac ? { mac } : {}),
      ...(type ? { type } : {}),
      ...(attachment ? { attachment } : {}),
    };
  });
  const sharedFolders = kids(kid(hw, 'SharedFolders'), 'SharedFolder').map((f) => attr(f, 'name') ?? '?');
  let snapshots = 0;
  const count = (n: XmlNode): void => {
    for (const s of kids(n, 'Snapshot')) {
      snapshots++;
      count(s);
    }
    for (const s of kids(n, 'Snapshots')) count(s);
  };
  count(m);
  const audio = kids(hw, 'AudioAdapter').some((a) => attr(a, 'enabled') === 'true');
  const vendorOnly = VBOX_ONLY.filter((n) => kid(hw, n) !== undefined);
  const firmware = attr(find(hw, 'Firmware'), 'type');
  const tpm = attr(find(hw, 'TrustedPlatformModule'), 'type');
  const nvram = attr(find(hw, 'NVRAM'), 'path');
  const name = attr(m, 'name');
  const osType = attr(m, 'OSType');
  return {
    ...(name ? { name } : {}),
    ...(osType ? { osType } : {}),
    ...(firmware ? { firmware } : {}),
    ...(tpm ? { tpm } : {}),
    ...(nvram ? { nvram } : {}),
    adapters,
    sharedFolders,
    snapshots,
    audio,
    vendorOnly,
  };
}
