/**
 * Adds or removes devices of a VM, always in its definition and, when it runs and the device allows
 * it, in the running guest too. A shut-off VM (or a change that cannot be made live) goes through
 * `vm edit`'s path (`editVm`: libvirt validates the whole definition, a refusal leaves the old one);
 * a running one gets libvirt's attach/detach with LIVE|CONFIG, which changes both or neither.
 * Either way the VM's lock is held while its XML is read, checked and changed.
 */
import { DomainXmlFlags, ModifyFlags, type Domain, type Libvirt } from '../libvirt/index.js';
import { editVm } from '../machines/edit-vm.js';
import { findVm } from '../machines/find-vm.js';
import { withVmLock } from '../machines/vm-lock.js';
import { withDeviceRemoved } from './domain-edit.js';
import type { XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';

export interface DevicePlan {
  /** The elements to attach or detach live, one call each (libvirt matches a detach by them). */
  devices: XmlNode[];
  /** The persistent definition with the change made, for the path through `editVm`. */
  defined: XmlNode;
  /** Null when it can be done live; else why it waits for the next start. */
  notLive: string | null;
}

/**
 * The plan that removes `node` from the definition and, when the running guest has it (`inLive` of
 * its live XML), from the guest: `device` is what the detach names (default the node itself);
 * `notInGuest` says why a running guest keeps going without the detach.
 */
export function removalPlan(
  config: XmlNode,
  live: XmlNode | null,
  node: XmlNode,
  opts: { inLive: (live: XmlNode) => boolean; notInGuest: string; device?: XmlNode },
): DevicePlan {
  return {
    devices: [opts.device ?? node],
    defined: withDeviceRemoved(config, node),
    notLive: live !== null && !opts.inLive(live) ? opts.notInGuest : null,
  };
}

/**
 * Checks the request against the VM's definition (and, running, its live XML; null when shut off)
 * and says what to change. Throws a typed error for bad input: then nothing is changed.
 */
export type Planner = (config: XmlNode, live: XmlNode | null) => DevicePlan | Promise<DevicePlan>;

export interface DeviceChange {
  vm: string;
  running: boolean;
  /** `now`: the running guest has the change already (and keeps it); `next-start`: the definition only. */
  applies: 'now' | 'next-start';
  detail: string;
}

export async function isRunning(dom: Domain): Promise<boolean> {
  const { state } = await dom.state();
  return state !== 'shutoff' && state !== 'crashed';
}

/** libvirt's words when a running q35 guest has no empty pcie-root-port left. */
const NO_SLOT = /No more available PCI slots/i;

const parse = (xml: string, vm: string): XmlNode => parseXml(xml, `the domain XML of ${vm}`);

/** The running guest's change, under the lock; the reason it cannot be live when the plan says so. */
async function changeLive(
  lv: Libvirt,
  dom: Domain,
  operation: string,
  action: 'attach' | 'detach',
  plan: Planner,
): Promise<DeviceChange | string> {
  return withVmLock(lv, dom, operation, async () => {
    const [config, live] = await Promise.all([
      dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE),
      dom.xml(DomainXmlFlags.SECURE),
    ]);
    const p = await plan(parse(config, dom.name), parse(live, dom.name));
    if (p.notLive !== null) return p.notLive;
    const done: XmlNode[] = [];
    try {
      for (const d of p.devices) {
        const xml = serializeXml(d);
        if (action === 'attach') await dom.attachDevice(xml, ModifyFlags.LIVE | ModifyFlags.CONFIG);
        else await dom.detachDevice(xml, ModifyFlags.LIVE | ModifyFlags.CONFIG);
        done.push(d);
      }
    } catch (err) {
      // A q35 guest hot-plugs PCIe devices only into an empty pcie-root-port; libvirt adds ports
      // for what the definition has, so the definition takes the device and gets its port at once.
      if (action === 'attach' && done.length === 0 && NO_SLOT.test(err instanceof Error ? err.message : ''))
        return 'it has no free PCIe slot to hot-plug into (libvirt adds one to its definition for the next start; `vm edit` can add spare pcie-root-port controllers)';
      // Several devices (a whole IOMMU group) go together or not at all.
      for (const d of done.reverse()) {
        const xml = serializeXml(d);
        const undo =
          action === 'attach'
            ? dom.detachDevice(xml, ModifyFlags.LIVE | ModifyFlags.CONFIG)
            : dom.attachDevice(xml, ModifyFlags.LIVE | ModifyFlags.CONFIG);
        await undo.catch(() => undefined);
      }
      throw err;
    }
    return {
      vm: dom.name,
      running: true,
      applies: 'now',
      detail:
        action === 'attach'
          ? 'hot-plugged, and in its definition'
          : 'unplugged, and gone from its definition',
    };
  });
}

/**
 * One change: live and persistent on a running VM when the plan allows, else in the definition
 * through `editVm`. Errors from the planner (bad input) and libvirt's refusals leave the VM as it was.
 */
export async function changeDevice(
  lv: Libvirt,
  name: string,
  operation: string,
  action: 'attach' | 'detach',
  plan: Planner,
): Promise<DeviceChange> {
  const dom = await findVm(lv, name);
  let why: string | undefined;
  if (await isRunning(dom)) {
    const live = await changeLive(lv, dom, operation, action, plan);
    if (typeof live !== 'string') return live;
    why = live;
  }
  const out = await editVm(lv, name, async (text) =>
    serializeXml((await plan(parse(text, name), null)).defined),
  );
  return {
    vm: out.name,
    running: out.running,
    applies: 'next-start',
    detail: out.running
      ? `in its definition only: ${why ?? 'it started meanwhile'}; the guest sees the change at its next start`
      : 'the VM is shut off: it sees the change when it starts',
  };
}

/** The persistent definition and, running, the live XML: what the list commands read. */
export async function vmXml(
  lv: Libvirt,
  name: string,
): Promise<{ vm: string; config: XmlNode; live: XmlNode | null }> {
  const dom = await findVm(lv, name);
  const running = await isRunning(dom);
  const [config, live] = await Promise.all([
    dom.xml(DomainXmlFlags.INACTIVE),
    running ? dom.xml(0) : Promise.resolve(null),
  ]);
  return {
    vm: dom.name,
    config: parse(config, dom.name),
    live: live === null ? null : parse(live, dom.name),
  };
}

/**
 * Every other VM of the host (all but the one of UUID `except`), as its definition and then its live
 * XML (for a shut-off VM, the definition again): a device attached for one run only is in the live
 * XML alone. For "who has it already" checks; a VM whose XML cannot be read is passed over.
 */
export async function* otherVmXml(
  lv: Libvirt,
  except: string,
): AsyncGenerator<{ name: string; domain: XmlNode }> {
  for (const d of await lv.domains.list()) {
    if (d.uuid === except) continue;
    for (const flags of [DomainXmlFlags.INACTIVE, 0]) {
      const xml = await d.xml(flags).catch(() => undefined);
      if (xml) yield { name: d.name, domain: parseXml(xml, `the domain XML of ${d.name}`) };
    }
  }
}
