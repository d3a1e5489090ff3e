/**
 * Per-VM stats while someone watches: while at least one subscriber holds a VM, its host is sampled
 * each second with ONE stats call for all of that host's watched VMs; each VM keeps the samples of
 * the last ten minutes in a ring. When a VM's last subscriber leaves, sampling of it stops (and of
 * its host, when it was the last there); its samples are kept for the rest of the ten minutes, so a
 * client that comes back soon gets them as history.
 */
import { isNotFound, type Domain, type Libvirt } from '../../libvirt/index.js';
import { findVm } from '../../machines/find-vm.js';
import { vmCounters } from '../../machines/vm-counters.js';
import type { Hosts } from '../hosts.js';
import { RingBuffer } from './ring-buffer.js';
import { sampleOf, type Reading, type StatsSample } from './stats-sample.js';

export interface SamplerOptions {
  intervalMs: number;
  /** How long samples are kept. */
  keepMs: number;
}

export const DEFAULT_SAMPLER_OPTIONS: SamplerOptions = { intervalMs: 1000, keepMs: 10 * 60_000 };

export interface Series<S> {
  host: string;
  vm: string;
  readonly subscribers: ReadonlySet<S>;
}

interface SeriesState<S> extends Series<S> {
  dom: Domain;
  /** Its domain was not found at the last call (undefined, perhaps defined again): looked up anew. */
  missing: boolean;
  ring: RingBuffer<StatsSample>;
  last: Reading | undefined;
  subscribers: Set<S>;
  expiry: NodeJS.Timeout | undefined;
}

interface HostState<S> {
  lv: Libvirt;
  series: Map<string, SeriesState<S>>;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

export class StatsSampler<S> {
  private readonly byHost = new Map<string, HostState<S>>();

  constructor(
    private readonly hosts: Hosts,
    private readonly onSample: (series: Series<S>, sample: StatsSample) => void,
    private readonly opts: SamplerOptions = DEFAULT_SAMPLER_OPTIONS,
  ) {}

  /**
   * Adds `who` to the VM's subscribers (a typed 404/503 when the host or VM is not there) and gives
   * the kept history, oldest first.
   */
  async subscribe(
    hostId: string | undefined,
    vm: string,
    who: S,
  ): Promise<{ host: string; vm: string; history: StatsSample[]; added: boolean }> {
    const { id, lv } = await this.hosts.get(hostId);
    const existing = this.byHost.get(id)?.series.get(vm);
    const dom = existing?.dom ?? (await findVm(lv, vm));
    let host = this.byHost.get(id);
    if (!host) this.byHost.set(id, (host = { lv, series: new Map(), timer: undefined, busy: false }));
    let s = host.series.get(dom.name);
    if (!s) {
      s = {
        host: id,
        vm: dom.name,
        dom,
        missing: false,
        ring: new RingBuffer(Math.ceil(this.opts.keepMs / this.opts.intervalMs)),
        last: undefined,
        subscribers: new Set(),
        expiry: undefined,
      };
      host.series.set(dom.name, s);
    }
    clearTimeout(s.expiry);
    s.expiry = undefined;
    if (s.subscribers.size === 0) s.last = undefined; // rates start afresh after a gap
    const added = !s.subscribers.has(who);
    s.subscribers.add(who);
    this.prune(s);
    const history = s.ring.toArray();
    if (!host.timer) {
      host.timer = setInterval(() => void this.tick(host), this.opts.intervalMs);
      void this.tick(host);
    }
    return { host: id, vm: dom.name, history, added };
  }

  /** Removes `who` from a VM's subscribers; undefined when it was not one. */
  unsubscribe(hostId: string | undefined, vm: string, who: S): { host: string; vm: string } | undefined {
    const id = hostId ?? this.hosts.ids()[0];
    const s = id === undefined ? undefined : this.byHost.get(id)?.series.get(vm);
    if (!s || !s.subscribers.delete(who)) return undefined;
    if (s.subscribers.size === 0) this.idle(s);
    return { host: s.host, vm: s.vm };
  }

  /** Removes `who` everywhere (its socket closed). */
  unsubscribeAll(who: S): void {
    for (const host of this.byHost.values())
      for (const s of host.series.values())
        if (s.subscribers.delete(who) && s.subscribers.size === 0) this.idle(s);
  }

  /** The VMs being sampled now, per host (for tests and metrics). */
  sampling(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, host] of this.byHost) {
      const vms = [...host.series.values()].filter((s) => s.subscribers.size > 0).map((s) => s.vm);
      if (vms.length) out[id] = vms;
    }
    return out;
  }

  close(): void {
    for (const host of this.byHost.values()) {
      clearInterval(host.timer);
      for (const s of host.series.values()) clearTimeout(s.expiry);
    }
    this.byHost.clear();
  }

  private idle(s: SeriesState<S>): void {
    const host = this.byHost.get(s.host);
    if (host && ![...host.series.values()].some((x) => x.subscribers.size > 0)) {
      clearInterval(host.timer);
      host.timer = undefined;
    }
    s.expiry = setTimeout(() => {
      if (s.subscribers.size === 0) host?.series.delete(s.vm);
    }, this.opts.keepMs);
    s.expiry.unref();
  }

  private prune(s: SeriesState<S>): void {
    const oldest = Date.now() - this.opts.keepMs;
    s.ring.dropWhile((x) => Date.parse(x.at) < oldest);
  }

  /** One stats call for the host's watched VMs; a tick still in flight makes the next one skip. */
  private async tick(host: HostState<S>): Promise<void> {
    if (host.busy || !host.lv.connected) return;
    host.busy = true;
    try {
      await this.relookup(host);
      const watched = [...host.series.values()].filter((s) => s.subscribers.size > 0 && !s.missing);
      if (!watched.length) return;
      const start = performance.now();
      const recs = await vmCounters(
        host.lv,
        watched.map((s) => s.dom),
      ).catch((err: unknown) => {
        // A VM gone (undefined) fails the whole call: the others are sampled again next time.
        if (isNotFound(err)) for (const s of watched) s.missing = true;
        return [];
      });
      const atMs = (start + performance.now()) / 2;
      const at = new Date();
      // libvirt leaves a domain that is gone out of the answer: look it up again next time.
      const answered = new Set(recs.map((r) => r.uuid));
      for (const s of watched) if (!answered.has(s.dom.uuid)) s.missing = true;
      for (const counters of recs) {
        const s = host.series.get(counters.name);
        if (!s || s.subscribers.size === 0) continue;
        const reading = { counters, atMs };
        const sample = sampleOf(reading, s.last, at);
        s.last = reading;
        s.ring.push(sample);
        this.onSample(s, sample);
      }
    } catch {
      // The connection dropped mid-call: no sample this second; the host's change event says why.
    } finally {
      host.busy = false;
    }
  }

  /** Looks the missing VMs up by name again (one may have been defined anew, with a new UUID). */
  private async relookup(host: HostState<S>): Promise<void> {
    for (const s of host.series.values()) {
      if (!s.missing || s.subscribers.size === 0) continue;
      const dom = await host.lv.domains.lookup(s.vm).catch(() => undefined);
      if (!dom) continue;
      if (dom.uuid !== s.dom.uuid) s.last = undefined;
      s.dom = dom;
      s.missing = false;
    }
  }
}
