/**
 * `vm device add NAME --gpu ADDR --mdev TYPE`: a mediated device (a GPU slice) made on the host and
 * given to the guest. The decision reads this machine's sysfs (like PCI passthrough, a remote host's
 * cannot be read, so it is refused); the device is made through libvirt's node-device API
 * (virNodeDeviceCreateXML: parent, type and a fresh UUID; libvirt 9.0 does it with mdevctl), then
 * the guest gets `<hostdev type='mdev'>` by that UUID. A refused attach takes the device away again.
 * libvirt's CreateXML device is transient: it is gone after the host reboots (see docs/devices.md).
 */
import { randomUUID } from 'node:crypto';
import { NodeDeviceListFlags, type Libvirt } from '../libvirt/index.js';
import { findVm } from '../machines/find-vm.js';
import { devicesOf, guestMdevHostdevs } from '../machines/guest-devices.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { child, childrenNamed, el } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { changeDevice, type DeviceChange, removalPlan } from './change-device.js';
import { withDeviceAdded } from './domain-edit.js';
import { DeviceNotFoundError } from './errors.js';
import { decideMdevAdd, probeMdevHost } from './mdev-decision.js';
import { MdevRefusedError } from './usb-errors.js';
import { mdevHostdevElement } from './usb-xml.js';

export interface MdevAddOutcome extends DeviceChange {
  uuid: string;
  parent: string;
  type: string;
}

/** libvirt's node device name of a PCI device: `pci_0000_00_02_0`. */
export const pciNodeName = (address: string): string => `pci_${address.replace(/[:.]/g, '_')}`;

/** The node device XML that asks libvirt for one mediated device. */
export function mdevNodeXml(parent: string, type: string, uuid: string): string {
  return serializeXml(
    el('device', {}, [
      el('parent', {}, pciNodeName(parent)),
      el('capability', { type: 'mdev' }, [el('type', { id: type }), el('uuid', {}, uuid)]),
    ]),
  );
}

export async function addMdevDevice(
  lv: Libvirt,
  name: string,
  req: { gpu: string; type: string; root?: string },
): Promise<MdevAddOutcome> {
  const remote = remoteHostOf(lv.requestedUri);
  if (remote !== undefined)
    throw new MdevRefusedError(
      'remote-host',
      `Mediated devices on ${remote} cannot be checked from here.`,
      `Run phyllo on ${remote} itself (its GPUs' mediated device types are read from its own /sys).`,
    );
  await findVm(lv, name);
  const d = decideMdevAdd(probeMdevHost(req.root), req.gpu, req.type);
  if (d.verdict === 'refused')
    throw new MdevRefusedError(d.refusal, `No mediated device for the guest: ${d.reason}.`, d.hint);
  const uuid = randomUUID();
  const made = await lv.nodeDevices.createXml(mdevNodeXml(d.parent, d.type.id, uuid));
  const element = mdevHostdevElement(uuid);
  try {
    const change = await changeDevice(lv, name, 'device add', 'attach', (config) => ({
      devices: [element],
      defined: withDeviceAdded(config, element),
      notLive: null,
    }));
    return { ...change, uuid, parent: d.parent, type: d.type.id };
  } catch (err) {
    await made.destroy().catch(() => undefined);
    throw err;
  }
}

export interface MdevRemoveOutcome extends DeviceChange {
  removed: string;
  /** Whether the mediated device was also taken away on the host (it must be one libvirt lists). */
  hostDeviceDestroyed: boolean;
}

export async function removeMdevDevice(lv: Libvirt, name: string, uuid: string): Promise<MdevRemoveOutcome> {
  const want = uuid.toLowerCase();
  const change = await changeDevice(lv, name, 'device remove', 'detach', (config, live) => {
    const node = childrenNamed(devicesOf(config), 'hostdev').find(
      (h) =>
        h.attrs.type === 'mdev' && child(child(h, 'source'), 'address')?.attrs.uuid?.toLowerCase() === want,
    );
    if (!node)
      throw new DeviceNotFoundError(
        name,
        want,
        guestMdevHostdevs(config).map((m) => m.uuid),
      );
    return removalPlan(config, live, node, {
      inLive: (l) => guestMdevHostdevs(l).some((m) => m.uuid === want),
      notInGuest: 'the running guest does not have it',
    });
  });
  // The slice goes back to its GPU when nothing uses it any more; a VM stopped now may still hold it.
  let hostDeviceDestroyed = false;
  if (!change.running || change.applies === 'now') {
    for (const n of await lv.nodeDevices.list(NodeDeviceListFlags.CAP_MDEV).catch(() => [])) {
      const xml = await n.xml().catch(() => '');
      const cap = xml
        ? parseXml(xml, 'a node device XML').children.find((c) => c.attrs.type === 'mdev')
        : undefined;
      if (child(cap, 'uuid')?.text?.trim().toLowerCase() !== want) continue;
      hostDeviceDestroyed = await n.destroy().then(
        () => true,
        () => false,
      );
    }
  }
  return { ...change, removed: want, hostDeviceDestroyed };
}
