/**
 * `phyllo serve` runs the VMs' USB rules (src/devices/usb-rules.ts) on every host it is connected to,
 * as `phyllo usb watch` does for one: an engine per host, started when its connection first comes up,
 * looking at what is plugged in again after each redial (events sent while the daemon was away are
 * lost), stopped with the server. What the engines did is logged and kept (the last entries per host)
 * for `GET /api/usb-rules`.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Libvirt } from '../libvirt/index.js';
import { startUsbRules, type UsbRuleEngine, type UsbRuleLogEntry } from '../devices/usb-rules.js';
import type { HostChange, Hosts } from './hosts.js';

/** How many of the engines' log entries each host keeps. */
const KEPT = 50;

export interface UsbRuleRunnerOptions {
  /** Starts an engine; tests pass their own (the fake daemon's connection is the real one's shape). */
  start?: typeof startUsbRules;
}

interface HostEngine {
  lv: Libvirt;
  engine: Promise<UsbRuleEngine | undefined>;
  log: UsbRuleLogEntry[];
}

export class UsbRuleRunner {
  private readonly engines = new Map<string, HostEngine>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    hosts: Pick<Hosts, 'onChange' | 'connected'>,
    private readonly logger: FastifyBaseLogger,
    private readonly options: UsbRuleRunnerOptions = {},
  ) {
    this.unsubscribe = hosts.onChange((c) => this.changed(c));
    // The first dials happened before the server was built: their hosts are up already.
    for (const h of hosts.connected()) this.changed({ ...h, connected: h.lv.connected });
  }

  /** What the rules did lately on host `id`, oldest first. */
  recent(id: string): UsbRuleLogEntry[] {
    return [...(this.engines.get(id)?.log ?? [])];
  }

  /** Waits for each engine's start and for the events it has received to be handled (for tests). */
  async idle(): Promise<void> {
    for (const h of this.engines.values()) await (await h.engine)?.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await Promise.all([...this.engines.values()].map(async (h) => (await h.engine)?.stop()));
  }

  private changed(c: Pick<HostChange, 'id' | 'uri' | 'lv' | 'connected'>): void {
    if (this.closed || !c.connected) return;
    const known = this.engines.get(c.id);
    if (known && known.lv === c.lv) {
      void known.engine.then((e) => e?.resync());
      return;
    }
    const log: UsbRuleLogEntry[] = [];
    const record = (entry: UsbRuleLogEntry) => {
      log.push(entry);
      if (log.length > KEPT) log.shift();
      this.logger.info(
        { host: c.id, usbRule: entry },
        `usb rule: ${entry.action} ${entry.device} ${entry.vm}`,
      );
    };
    const engine = (this.options.start ?? startUsbRules)(c.lv, { log: record }).catch((err: unknown) => {
      // A host whose daemon cannot send node-device events still serves everything else.
      this.logger.warn({ host: c.id, err }, 'usb rules not running on this host');
      return undefined;
    });
    this.engines.set(c.id, { lv: c.lv, engine, log });
  }
}
