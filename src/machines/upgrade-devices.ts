/**
 * `vm upgrade-devices`: a guest installed on SATA and e1000e because it had no virtio drivers then
 * (Windows without the virtio-win ISO) moves to virtio-blk and virtio-net once the drivers are
 * installed in it. The target devices are the model's own choice for the guest with drivers
 * (`decideDiskBus`, `nicModel`). Shut off only. The system disk stays bootable: its image, boot
 * order and order among the disks are kept; it only gets a virtio target name (vda, vdb, … in the
 * order the disks had) and loses its SATA drive address. The devices as they were are recorded in
 * our metadata, so `--undo` puts them back.
 *
 * Whether the drivers are in the guest cannot be seen from outside: the command says so, and a
 * guest that does not boot on virtio is put back with `--undo`.
 */
import { resolveGuestOs } from '../catalog/guest-os.js';
import { DefineFlags, DomainXmlFlags, type Libvirt } from '../libvirt/index.js';
import { decideDiskBus } from '../model/decisions/disks.js';
import { nicModel } from '../model/decisions/nic.js';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { VmStateError, VmUpgradeError } from './errors.js';
import { findVm } from './find-vm.js';
import { withVmLock } from './vm-lock.js';

/** Our record of the devices before an upgrade, in the domain's `<metadata>`. */
export const UPGRADE_NS = 'https://phyllo.me/xmlns/upgrade-devices/1.0';
const RECORD = 'upgrade:previous-devices';

/** What the command tells the user before they rely on it. */
export const DRIVER_PRECONDITION =
  'The guest must already have the virtio drivers installed (for Windows: the virtio-win drivers, e.g. from the driver ISO: `phyllo vm media NAME insert virtio-win.iso`, then run its installer in the guest); this cannot be checked from outside. If the guest does not boot afterwards, `phyllo vm upgrade-devices NAME --undo` puts the devices back.';

export interface DeviceChange {
  device: 'disk' | 'nic';
  /** The disk's image, or the NIC's MAC address. */
  id: string;
  from: string;
  to: string;
}

export interface UpgradeOutcome {
  name: string;
  changes: DeviceChange[];
  undone: boolean;
  precondition: string;
  /** Why the model picks these devices. */
  reason: string;
}

const LEGACY_DISK_BUSES = ['sata', 'ide', 'scsi'];
const LEGACY_NICS = ['e1000e', 'e1000', 'rtl8139'];

const isSystemDisk = (d: XmlNode): boolean => (d.attrs.device ?? 'disk') === 'disk';
const diskId = (d: XmlNode): string => {
  const s = child(d, 'source');
  return s?.attrs.file ?? s?.attrs.dev ?? s?.attrs.volume ?? child(d, 'target')?.attrs.dev ?? '';
};
const nicId = (n: XmlNode): string => child(n, 'mac')?.attrs.address ?? '';

function replaceChild(parent: XmlNode, old: XmlNode, next: XmlNode): void {
  parent.children[parent.children.indexOf(old)] = next;
}

function metadataOf(root: XmlNode): XmlNode {
  let meta = child(root, 'metadata');
  if (!meta) {
    meta = el('metadata');
    root.children.push(meta);
  }
  return meta;
}

/** Switches the legacy disks and NICs to the model's virtio devices; the old ones go into the record. */
function upgrade(root: XmlNode, bus: string, model: string): DeviceChange[] {
  const devices = child(root, 'devices') as XmlNode;
  const changes: DeviceChange[] = [];
  const previous: XmlNode[] = [];
  const disks = childrenNamed(devices, 'disk').filter(isSystemDisk);
  if (bus === 'virtio') {
    const taken = new Set(
      disks
        .filter((d) => child(d, 'target')?.attrs.bus === 'virtio')
        .map((d) => child(d, 'target')?.attrs.dev),
    );
    let letter = 0;
    const nextName = (): string => {
      let n: string;
      do n = `vd${String.fromCharCode(97 + letter++)}`;
      while (taken.has(n));
      return n;
    };
    for (const d of disks) {
      const target = child(d, 'target');
      if (!target || !LEGACY_DISK_BUSES.includes(target.attrs.bus ?? '')) continue;
      const dev = nextName();
      const next: XmlNode = {
        ...d,
        children: d.children
          .filter((c) => !(c.name === 'address' && c.attrs.type === 'drive'))
          .map((c) => (c === target ? el('target', { dev, bus: 'virtio' }) : c)),
      };
      replaceChild(devices, d, next);
      previous.push(d);
      changes.push({
        device: 'disk',
        id: diskId(d),
        from: `${target.attrs.bus} ${target.attrs.dev}`,
        to: `virtio ${dev}`,
      });
    }
  }
  if (model === 'virtio')
    for (const n of childrenNamed(devices, 'interface')) {
      const m = child(n, 'model');
      if (!m || !LEGACY_NICS.includes(m.attrs.type ?? '')) continue;
      replaceChild(n, m, el('model', { type: 'virtio' }));
      previous.push({ ...n, children: n.children.map((c) => (c.name === 'model' ? m : c)) });
      changes.push({ device: 'nic', id: nicId(n), from: m.attrs.type ?? '', to: 'virtio' });
    }
  if (changes.length > 0) {
    const meta = metadataOf(root);
    meta.children = meta.children.filter((c) => c.name !== RECORD);
    meta.children.push(
      el(
        'upgrade:previous-devices',
        { 'xmlns:upgrade': UPGRADE_NS, encoding: 'base64' },
        Buffer.from(previous.map(serializeXml).join('')).toString('base64'),
      ),
    );
  }
  return changes;
}

/** Puts back the recorded devices (matched by image and MAC address) and drops the record. */
function undo(name: string, root: XmlNode): DeviceChange[] {
  const meta = child(root, 'metadata');
  const record = meta?.children.find((c) => c.name === RECORD);
  if (!meta || !record?.text)
    throw new VmUpgradeError(
      name,
      'has no device upgrade to undo',
      'Only the devices of the last `phyllo vm upgrade-devices` can be put back.',
    );
  const devices = child(root, 'devices') as XmlNode;
  const old = parseXml(
    `<devices>${Buffer.from(record.text, 'base64').toString('utf8')}</devices>`,
    'the recorded devices',
  );
  const changes: DeviceChange[] = [];
  for (const o of old.children) {
    if (o.name === 'disk') {
      const cur = childrenNamed(devices, 'disk').find((d) => isSystemDisk(d) && diskId(d) === diskId(o));
      if (!cur) continue;
      const t = child(cur, 'target');
      replaceChild(devices, cur, o);
      const ot = child(o, 'target');
      changes.push({
        device: 'disk',
        id: diskId(o),
        from: `${t?.attrs.bus} ${t?.attrs.dev}`,
        to: `${ot?.attrs.bus} ${ot?.attrs.dev}`,
      });
    } else if (o.name === 'interface') {
      const cur = childrenNamed(devices, 'interface').find((n) => nicId(n) === nicId(o));
      if (!cur) continue;
      const m = child(o, 'model');
      const cm = child(cur, 'model');
      if (m && cm) replaceChild(cur, cm, m);
      changes.push({ device: 'nic', id: nicId(o), from: cm?.attrs.type ?? '', to: m?.attrs.type ?? '' });
    }
  }
  meta.children = meta.children.filter((c) => c !== record);
  return changes;
}

export async function upgradeDevices(
  lv: Libvirt,
  name: string,
  opts: { undo?: boolean } = {},
): Promise<UpgradeOutcome> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, opts.undo ? 'upgrade-devices --undo' : 'upgrade-devices', async () => {
    const { state } = await dom.state();
    if (state !== 'shutoff')
      throw new VmStateError(
        name,
        state,
        'its disk and network devices can only be switched while it is shut off',
        `Shut the guest down first (from inside, or \`virsh shutdown ${name}\`), then run this again.`,
      );
    const xml = await dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE);
    const root = parseXml(xml, 'the domain XML');
    let changes: DeviceChange[];
    let reason: string;
    if (opts.undo) {
      changes = undo(name, root);
      reason = 'the devices recorded before the last upgrade';
    } else {
      const os = parseDomainXml(xml).metadata.phyllome?.os;
      if (!os)
        throw new VmUpgradeError(
          name,
          'was not created by Phyllome: its guest OS is not recorded, so the model cannot say which devices it drives',
          'Change its devices with `phyllo vm edit` instead.',
        );
      const guest = resolveGuestOs(os);
      // The model's choice for this guest once it has the drivers.
      const disk = decideDiskBus({ profile: guest.profile, guest, virtioDisk: true, options: {} }).choice;
      const model = nicModel({ profile: guest.profile, virtioNet: true });
      reason = `the model's devices for ${guest.name} with its virtio drivers: a ${disk} system disk and a ${model} NIC`;
      changes = upgrade(root, disk, model);
    }
    if (changes.length > 0) await lv.domains.define(serializeXml(root), DefineFlags.VALIDATE);
    return { name, changes, undone: opts.undo === true, precondition: DRIVER_PRECONDITION, reason };
  });
}
