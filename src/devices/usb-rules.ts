/**
 * The USB rule engine: a device matching a running VM's rule is attached to it when it appears
 * (node-device lifecycle CREATED), detached when it goes (DELETED), and matching devices already
 * plugged in are attached when the VM starts (domain lifecycle STARTED) and when the engine starts.
 * Driven by libvirt's events through our client, never by polling; it runs in `phyllo usb watch`
 * and (later) inside `phyllo serve`, through `startUsbRules`.
 *
 * Attachments are live only: the device is the guest's while it is plugged in and the guest runs;
 * the definition is not changed (a rule is not a device the VM needs to start). Each attach names
 * the one device that appeared (by bus and device number), so two devices of one kind stay apart.
 * Events are handled one at a time, in order.
 */
import {
  DomainXmlFlags,
  ModifyFlags,
  type Domain,
  type LifecycleEvent,
  type Libvirt,
  type NodeDeviceLifecycleEvent,
} from '../libvirt/index.js';
import { guestUsbHostdevs } from '../machines/guest-devices.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { withVmLock } from '../machines/vm-lock.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { isRunning } from './change-device.js';
import { hostUsbDevice, hostUsbDevices, isRootHub, localUsbSerial, type HostUsbDevice } from './host-usb.js';
import { hostdevIsDevice, runningHolder } from './usb-device.js';
import { readUsbRules } from '../machines/usb-rule-metadata.js';
import { ruleId, usbHostdevElement, type UsbRuleSpec } from './usb-xml.js';

export interface UsbRuleLogEntry {
  at: string;
  action: 'attached' | 'detached' | 'skipped' | 'failed';
  vm: string;
  /** `046d:c52b at 1.5 (usb_1_5)`. */
  device: string;
  rule?: string;
  reason?: string;
}

export interface UsbRuleEngineOptions {
  log?: (entry: UsbRuleLogEntry) => void;
  /** The device's serial number; default: read from sysfs when the host is this machine, else null. */
  serialOf?: (device: HostUsbDevice) => string | null | Promise<string | null>;
}

interface Attachment {
  vm: string;
  uuid: string;
  xml: string;
  device: HostUsbDevice;
}

const describe = (d: HostUsbDevice): string =>
  `${d.vendorId}:${d.productId} at ${d.bus}.${d.device} (${d.name})`;

export function ruleMatches(rule: UsbRuleSpec, d: HostUsbDevice, serial: string | null): boolean {
  return (
    rule.vendorId === d.vendorId &&
    rule.productId === d.productId &&
    (rule.serial === undefined || rule.serial === serial)
  );
}

/** The live-only hostdev the engine attaches: that device by its bus and device number. */
export function ruleHostdevXml(d: HostUsbDevice): string {
  return serializeXml(usbHostdevElement({ by: 'address', bus: d.bus, device: d.device }));
}

export class UsbRuleEngine {
  /** Node device name → what the engine attached it to. */
  private readonly attached = new Map<string, Attachment[]>();
  private readonly subs: { close(): void }[] = [];
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly serialOf: (d: HostUsbDevice) => string | null | Promise<string | null>;

  constructor(
    private readonly lv: Libvirt,
    private readonly options: UsbRuleEngineOptions = {},
  ) {
    const remote = remoteHostOf(lv.requestedUri) !== undefined;
    this.serialOf = options.serialOf ?? ((d) => (remote ? null : localUsbSerial(d)));
  }

  /** Subscribes to the events first (nothing plugged in meanwhile is missed), then attaches what is there. */
  async start(): Promise<void> {
    const devices = await this.lv.events.nodeDeviceLifecycle();
    const lifecycle = await this.lv.events.lifecycle();
    this.subs.push(devices, lifecycle);
    devices.on((e) => this.enqueue(() => this.onNodeDevice(e)));
    lifecycle.on((e) => this.enqueue(() => this.onLifecycle(e)));
    await this.enqueue(() => this.attachPresent());
  }

  /** Stops listening and waits for the event being handled. Attached devices stay with their guests. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.subs.splice(0)) s.close();
    await this.queue;
  }

  /** What the engine has attached now, by VM. */
  attachments(): { vm: string; device: string }[] {
    return [...this.attached.values()].flat().map((a) => ({ vm: a.vm, device: describe(a.device) }));
  }

  /** Looks at what is plugged in again (after a reconnect: events sent meanwhile are lost). */
  resync(): Promise<void> {
    return this.enqueue(() => this.attachPresent());
  }

  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      await job().catch((err: unknown) =>
        this.log({
          action: 'failed',
          vm: '-',
          device: '-',
          reason: err instanceof Error ? err.message : String(err),
        }),
      );
    });
    return this.queue;
  }

  private log(entry: Omit<UsbRuleLogEntry, 'at'>): void {
    this.options.log?.({ at: new Date().toISOString(), ...entry });
  }

  private async rulesOf(dom: Domain): Promise<UsbRuleSpec[]> {
    const xml = await dom.xml(DomainXmlFlags.INACTIVE);
    return readUsbRules(parseXml(xml, `the domain XML of ${dom.name}`));
  }

  /** Every running VM with rules, and its rules. */
  private async runningWithRules(): Promise<[Domain, UsbRuleSpec[]][]> {
    const out: [Domain, UsbRuleSpec[]][] = [];
    for (const dom of await this.lv.domains.list()) {
      if (!(await isRunning(dom).catch(() => false))) continue;
      const rules = await this.rulesOf(dom).catch(() => []);
      if (rules.length) out.push([dom, rules]);
    }
    return out;
  }

  private async attachPresent(only?: Domain): Promise<void> {
    const targets = only
      ? [[only, await this.rulesOf(only)] as [Domain, UsbRuleSpec[]]]
      : await this.runningWithRules();
    if (!targets.some(([, r]) => r.length)) return;
    const present = (await hostUsbDevices(this.lv)).filter((d) => !isRootHub(d));
    for (const d of present) await this.offer(d, targets);
  }

  /** Gives `d` to the first of `targets` whose rule it matches. */
  private async offer(d: HostUsbDevice, targets: [Domain, UsbRuleSpec[]][]): Promise<void> {
    let serial: string | null | undefined;
    for (const [dom, rules] of targets) {
      for (const rule of rules) {
        if (rule.vendorId !== d.vendorId || rule.productId !== d.productId) continue;
        if (rule.serial !== undefined) serial ??= await this.serialOf(d);
        if (!ruleMatches(rule, d, serial ?? null)) {
          if (rule.serial !== undefined && serial === null)
            this.log({
              action: 'skipped',
              vm: dom.name,
              device: describe(d),
              rule: ruleId(rule),
              reason:
                'its serial number cannot be read from here (libvirt does not report it; a remote host’s sysfs is not readable)',
            });
          continue;
        }
        if (await this.attach(dom, d, rule)) return;
      }
    }
  }

  private async attach(dom: Domain, d: HostUsbDevice, rule: UsbRuleSpec): Promise<boolean> {
    const base = { vm: dom.name, device: describe(d), rule: ruleId(rule) };
    const other = await runningHolder(this.lv, d, dom.uuid);
    if (other) {
      this.log({ ...base, action: 'skipped', reason: `the running VM "${other}" has it` });
      return false;
    }
    const xml = ruleHostdevXml(d);
    try {
      const done = await withVmLock(this.lv, dom, 'usb rule attach', async () => {
        if (!(await isRunning(dom))) return 'it is not running';
        const live = parseXml(await dom.xml(0), `the domain XML of ${dom.name}`);
        if (guestUsbHostdevs(live).some((h) => hostdevIsDevice(h, d))) return 'it has the device already';
        await dom.attachDevice(xml, ModifyFlags.LIVE);
        return null;
      });
      if (done !== null) {
        this.log({ ...base, action: 'skipped', reason: done });
        return done === 'it has the device already';
      }
    } catch (err) {
      this.log({ ...base, action: 'failed', reason: err instanceof Error ? err.message : String(err) });
      return false;
    }
    const list = this.attached.get(d.name) ?? [];
    list.push({ vm: dom.name, uuid: dom.uuid, xml, device: d });
    this.attached.set(d.name, list);
    this.log({ ...base, action: 'attached' });
    return true;
  }

  private async onNodeDevice(e: NodeDeviceLifecycleEvent): Promise<void> {
    if (e.event === 'created') {
      const d = await hostUsbDevice(this.lv, e.device);
      if (!d || isRootHub(d)) return;
      await this.offer(d, await this.runningWithRules());
    } else if (e.event === 'deleted') {
      const list = this.attached.get(e.device) ?? [];
      this.attached.delete(e.device);
      for (const a of list) {
        const base = { vm: a.vm, device: describe(a.device) };
        try {
          const dom = await this.lv.domains.lookup(a.uuid);
          await withVmLock(this.lv, dom, 'usb rule detach', () => dom.detachDevice(a.xml, ModifyFlags.LIVE));
          this.log({ ...base, action: 'detached', reason: 'it was unplugged' });
        } catch (err) {
          this.log({
            ...base,
            action: 'failed',
            reason: `detach: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }
    }
  }

  private async onLifecycle(e: LifecycleEvent): Promise<void> {
    if (e.event === 'started') {
      const dom = await this.lv.domains.lookup(e.dom.name);
      await this.attachPresent(dom);
    } else if (e.event === 'stopped' || e.event === 'crashed') {
      // The guest's devices went with it.
      for (const [name, list] of this.attached) {
        const left = list.filter((a) => a.vm !== e.dom.name);
        if (left.length) this.attached.set(name, left);
        else this.attached.delete(name);
      }
    }
  }
}

/** Starts the rule engine on a connection; `serve` and `usb watch` call this and `stop()` at the end. */
export async function startUsbRules(lv: Libvirt, options: UsbRuleEngineOptions = {}): Promise<UsbRuleEngine> {
  const engine = new UsbRuleEngine(lv, options);
  await engine.start();
  return engine;
}
