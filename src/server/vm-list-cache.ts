/**
 * `GET /api/vms` from memory: per host, the VM list read in full once (one `listVms()`, when first
 * asked and again after each reconnection), then kept current by libvirt's domain events, the same
 * feed /api/events forwards: an event marks its VM stale and only that VM is read again (its stats
 * record; its OS from our metadata only after a `defined` event). A request waits for every re-read
 * of an event the server had received when it came, so an answer is never older than an event already
 * in. The API's own changes (a start, an edit…) mark their VM too, before their reply goes out: libvirt
 * may send the event after the reply, and a client that starts a VM and then lists must see it running.
 *
 * The counters (CPU %, memory in use, disk allocation) come from a background stats call per host,
 * never from a request: for the running VMs every `intervalMs` (2 s) while the list is in demand
 * (listed in the last `demandMs`, 30 s, or an /api/events client connected), for the shut-off VMs'
 * disks every `inactiveEvery` ticks (30 s). Each VM says when its counters were read (`statsAt`);
 * uptime is computed when the answer is made.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Domain,
  domainStateName,
  isNotFound,
  StatsTypes,
  uuidFromString,
  uuidToString,
  type DomainEvent,
  type DomainRef,
  type DomainState,
  type DomainStatsRecord,
  type Libvirt,
} from '../libvirt/index.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { sortByName } from '../machines/name-order.js';
import { bootTime, localStartMs, type UptimeDirs } from '../machines/qemu-uptime.js';
import {
  cpuPercent,
  entryFrom,
  LIST_STATS,
  listVms,
  osOf,
  type VmDiskUse,
  type VmListEntry,
} from '../machines/vm-list.js';
import { jsonReplacer } from '../json.js';
import type { HostChange, Hosts } from './hosts.js';
import type { JobRegistry, JobView } from './job-registry.js';
import type { DomainEventFeed } from './ws/domain-event-feed.js';

/** One VM as `GET /api/vms` gives it: `phyllo vm list --json`'s entry and when its counters were read. */
export interface ListedVm extends VmListEntry {
  /**
   * When `cpuPercent`, `memoryInUseBytes` and the disk use were read (ISO 8601): the last background
   * sample (running VMs: at most ~2 s old while the list is in demand) or the VM's last re-read.
   */
  statsAt: string | null;
}

/** A VM as one read of it gave it. */
export interface ReadVm {
  /** Name, UUID and the daemon's handle when the read had one. */
  ref: VmRef;
  entry: VmListEntry;
  /** When its QEMU process started (epoch ms; this machine only): the uptime at answer time. */
  startedAtMs: number | null;
  /** Its cpu.time at the read, for the CPU % of the next sample. */
  cpu: { cpuTimeNs: number; atMs: number } | null;
  /** When it was read (epoch ms). */
  at: number;
}

export interface VmRef {
  uuid: string;
  name: string;
  dom?: DomainRef;
}

/** The counters of one VM in a background sample. */
export interface VmCounterRead {
  ref: VmRef;
  active: boolean;
  cpuTimeNs: number | null;
  memoryInUseBytes: number | null;
  disks: VmDiskUse[];
  diskAllocationBytes: number | null;
  diskCapacityBytes: number | null;
}

export interface CounterSample {
  vms: VmCounterRead[];
  /** Monotonic ms of the daemon's read (the middle of the round trip), for CPU %. */
  atMs: number;
  /** The same in epoch ms. */
  at: number;
}

/** What the list reads from a host (libvirt's in `libvirtReader`; a fake in the unit tests). */
export interface VmReader {
  /** Every VM. */
  all(): Promise<ReadVm[]>;
  /** One VM by UUID; undefined when there is none. `os` given: that OS is kept (no metadata calls). */
  one(ref: VmRef, os?: string | null): Promise<ReadVm | undefined>;
  /** The VM of this name, if any. */
  named(name: string): Promise<ReadVm | undefined>;
  /** The counters of the running VMs (`active`), or the disk use of the shut-off ones. */
  counters(active: boolean): Promise<CounterSample>;
}

const ACTIVE: readonly DomainState[] = ['running', 'paused', 'blocked'];
const isActive = (s: DomainState) => ACTIVE.includes(s);

interface Slot {
  ref: VmRef;
  entry: VmListEntry;
  startedAtMs: number | null;
  cpu: { cpuTimeNs: number; atMs: number } | null;
  statsAt: number;
  /** Bumped at each re-read: a sample begun before one does not overwrite it. */
  rev: number;
  /** Its JSON, made once per change: before and after the uptime (which is made per answer). */
  json: [string, string] | undefined;
}

/**
 * One host's list. Every change goes through one loop: a mark (an event, an API call, a reconnection)
 * bumps `seq`; the loop takes everything marked so far, reads it, and sets `done` to the `seq` it took.
 * A request waits until `done` reaches the `seq` it saw when it came.
 */
export class HostVmList {
  private readonly slots = new Map<string, Slot>();
  private sorted: Slot[] | undefined;
  private rebuild = true;
  private stale = new Map<string, { ref: VmRef; config: boolean }>();
  private staleNames = new Set<string>();
  private seq = 1;
  private done = 0;
  /** Bumped when the connection drops: reads begun before are thrown away. */
  private epoch = 0;
  private rev = 0;
  private loop: Promise<void> | undefined;
  private sampling = false;
  /** The epoch of the last full read that completed. */
  private builtIn = -1;

  constructor(
    private readonly reader: VmReader,
    private readonly collator?: Intl.Collator,
  ) {}

  /** Whether the list has been read in full since the last reset (else a request reads it first). */
  get built(): boolean {
    return this.builtIn === this.epoch && !this.rebuild;
  }

  /** An event of this VM: read it again; `config` (a `defined` event) also its OS. */
  changed(ref: VmRef, config: boolean): void {
    const had = this.stale.get(ref.uuid);
    this.stale.set(ref.uuid, { ref, config: config || had?.config === true });
    this.mark();
  }

  /** The API changed (or may have changed) the VM of this name: read it, and whoever holds that name. */
  touched(name: string): void {
    this.staleNames.add(name);
    this.mark();
  }

  /** The connection dropped or came back: everything is read again in full. */
  reset(): void {
    this.epoch++;
    this.slots.clear();
    this.sorted = undefined;
    this.stale.clear();
    this.staleNames.clear();
    this.rebuild = true;
    this.seq++;
  }

  /** Starts the pending reads now (after a reconnection) without waiting for a request. */
  refresh(): Promise<void> {
    return this.kick().catch(() => undefined);
  }

  /** The list, with every read marked before this call done. */
  async list(now = Date.now()): Promise<ListedVm[]> {
    await this.settled();
    return this.order().map((s) => this.view(s, now));
  }

  /** The same as JSON text: each VM's JSON is kept between its changes, only the uptimes are new. */
  async listJson(now = Date.now()): Promise<string> {
    await this.settled();
    const parts = this.order().map((s) => {
      const [head, tail] = (s.json ??= this.fragments(s));
      return head + this.uptime(s, now) + tail;
    });
    return `[${parts.join(',')}]`;
  }

  /**
   * One background sample: the counters of the running VMs, or (`inactive`) the disk use of the
   * shut-off ones. A VM re-read while the call was out keeps its re-read; one the sample sees in
   * another state than the list (an event on its way, or one missed) is read again.
   */
  async sample(inactive = false): Promise<void> {
    if (!this.built || this.sampling) return;
    this.sampling = true;
    try {
      const epoch = this.epoch;
      const revs = new Map([...this.slots].map(([uuid, s]) => [uuid, s.rev]));
      const got = await this.reader.counters(!inactive);
      if (epoch !== this.epoch) return;
      const seen = new Set<string>();
      for (const c of got.vms) {
        seen.add(c.ref.uuid);
        const s = this.slots.get(c.ref.uuid);
        if (!s) {
          if (!revs.has(c.ref.uuid) && !this.stale.has(c.ref.uuid)) this.changed(c.ref, true);
          continue;
        }
        if (s.rev !== revs.get(c.ref.uuid) || this.stale.has(c.ref.uuid)) continue;
        if (isActive(s.entry.state) !== c.active) {
          this.changed(s.ref, false);
          continue;
        }
        const e = s.entry;
        e.disks = c.disks;
        e.diskAllocationBytes = c.diskAllocationBytes;
        e.diskCapacityBytes = c.diskCapacityBytes;
        if (c.active) {
          e.memoryInUseBytes = c.memoryInUseBytes;
          const now = c.cpuTimeNs === null ? null : { cpuTimeNs: c.cpuTimeNs, atMs: got.atMs };
          e.cpuPercent = s.cpu && now ? cpuPercent(s.cpu, now, e.vcpus ?? 1) : null;
          s.cpu = now;
        }
        s.statsAt = got.at;
        s.json = undefined;
      }
      // A VM the list has in that state but the daemon did not answer for: read it again.
      for (const [uuid, s] of this.slots)
        if (
          !seen.has(uuid) &&
          isActive(s.entry.state) === !inactive &&
          s.rev === revs.get(uuid) &&
          !this.stale.has(uuid)
        )
          this.changed(s.ref, false);
    } finally {
      this.sampling = false;
    }
  }

  private mark(): void {
    this.seq++;
    // Read at once when the list is kept; a list never built (or reset) is read when asked.
    if (this.done > 0 || this.loop) void this.refresh();
  }

  private kick(): Promise<void> {
    if (!this.loop) {
      const p = this.run().finally(() => {
        if (this.loop === p) this.loop = undefined;
      });
      this.loop = p;
      // Marks that came after the loop's last look are read by a new loop (a failed one waits for a request).
      p.then(
        () => {
          if (this.done < this.seq && this.done > 0) void this.refresh();
        },
        () => undefined,
      );
    }
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.done < this.seq) {
      const upTo = this.seq;
      const epoch = this.epoch;
      const rebuild = this.rebuild;
      const stale = this.stale;
      const names = this.staleNames;
      this.rebuild = false;
      this.stale = new Map();
      this.staleNames = new Set();
      try {
        if (rebuild) {
          const all = await this.reader.all();
          if (epoch !== this.epoch) continue;
          this.slots.clear();
          for (const r of all) this.put(r);
          this.sorted = undefined;
          this.builtIn = epoch;
        } else await this.reread(stale, names, epoch);
      } catch (err) {
        if (epoch === this.epoch) {
          // Taken up again by the next request.
          this.rebuild ||= rebuild;
          for (const [uuid, v] of stale) {
            const now = this.stale.get(uuid);
            this.stale.set(uuid, { ref: v.ref, config: v.config || now?.config === true });
          }
          for (const n of names) this.staleNames.add(n);
        }
        throw err;
      }
      if (epoch === this.epoch) this.done = upTo;
    }
  }

  private async reread(
    stale: Map<string, { ref: VmRef; config: boolean }>,
    names: Set<string>,
    epoch: number,
  ): Promise<void> {
    const todo = new Map(stale);
    // Whoever holds a touched name now: it may have been renamed, or undefined and defined anew.
    for (const s of this.slots.values())
      if (names.has(s.entry.name) && !todo.has(s.ref.uuid))
        todo.set(s.ref.uuid, { ref: s.ref, config: true });
    const reads = await Promise.all([
      ...[...todo.values()].map(async ({ ref, config }) => {
        const os = config ? undefined : this.slots.get(ref.uuid)?.entry.os;
        return { uuid: ref.uuid, read: await this.reader.one(ref, os) };
      }),
      ...[...names].map(async (name) => {
        const read = await this.reader.named(name);
        return read && { uuid: read.entry.uuid, read };
      }),
    ]);
    if (epoch !== this.epoch) return;
    for (const r of reads) {
      if (!r) continue;
      if (r.read) this.put(r.read);
      else if (this.slots.delete(r.uuid)) this.sorted = undefined;
    }
  }

  private put(r: ReadVm): void {
    const old = this.slots.get(r.entry.uuid);
    if (!old || old.entry.name !== r.entry.name) this.sorted = undefined;
    const slot: Slot = {
      ref: r.ref,
      entry: { ...r.entry },
      startedAtMs: r.startedAtMs,
      cpu: r.cpu,
      statsAt: r.at,
      rev: ++this.rev,
      json: undefined,
    };
    if (old) Object.assign(old, slot);
    else this.slots.set(r.entry.uuid, slot);
  }

  private async settled(): Promise<void> {
    const want = this.seq;
    while (this.done < want) await this.kick();
  }

  private order(): Slot[] {
    if (!this.sorted) {
      this.sorted = sortByName([...this.slots.values()], (s) => s.entry.name, this.collator);
    }
    return this.sorted;
  }

  private uptime(s: Slot, now: number): number | null {
    return isActive(s.entry.state) && s.startedAtMs !== null
      ? Math.max(0, Math.round((now - s.startedAtMs) / 1000))
      : null;
  }

  private view(s: Slot, now: number): ListedVm {
    return { ...s.entry, uptimeSeconds: this.uptime(s, now), statsAt: new Date(s.statsAt).toISOString() };
  }

  /** The VM's JSON in two parts, the uptime between them (the fields in `view`'s order). */
  private fragments(s: Slot): [string, string] {
    const { uptimeSeconds: _, cpuPercent, memoryInUseBytes, ...before } = s.entry;
    const after = { cpuPercent, memoryInUseBytes, statsAt: new Date(s.statsAt).toISOString() };
    return [
      `${JSON.stringify(before, jsonReplacer).slice(0, -1)},"uptimeSeconds":`,
      `,${JSON.stringify(after, jsonReplacer).slice(1)}`,
    ];
  }
}

function num(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' ? v : undefined;
}

/** A monotonic clock in ms (as vm-list.ts times its samples). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The stats of the background sample of running VMs (what the list shows of them, and the state). */
const COUNTER_STATS = StatsTypes.STATE | StatsTypes.CPU_TOTAL | StatsTypes.BALLOON | StatsTypes.BLOCK;
/** VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE / _INACTIVE. */
const STATS_ACTIVE = 1;
const STATS_INACTIVE = 2;

/** Reads a host's VMs through libvirt: the list from `listVms()`, one VM from its own stats call. */
export function libvirtReader(lv: Libvirt, opts: { uptime?: UptimeDirs } = {}): VmReader {
  const local = remoteHostOf(lv.requestedUri) === undefined;
  let btime: Promise<number | undefined> | undefined;
  const startOf = async (name: string, state: DomainState) => {
    if (!local || !isActive(state)) return null;
    btime ??= bootTime(opts.uptime?.root);
    return (await localStartMs(name, await btime, opts.uptime)) ?? null;
  };
  const fromRecord = async (rec: DomainStatsRecord, os: string | null | undefined, atMs: number) => {
    const ref = { uuid: rec.domain.uuid, name: rec.domain.name, dom: rec.ref };
    const entry = entryFrom(
      { name: ref.name, uuid: ref.uuid, values: rec.values },
      {
        os: os === undefined ? await osOf(rec.domain) : os,
        uptimeSeconds: null,
        cpuPercent: null,
      },
    );
    const cpuTimeNs = num(rec.values['cpu.time']);
    return {
      ref,
      entry,
      startedAtMs: await startOf(ref.name, entry.state),
      cpu: cpuTimeNs !== undefined && isActive(entry.state) ? { cpuTimeNs, atMs } : null,
      at: Date.now(),
    };
  };
  const read = async (dom: Domain, os?: string | null): Promise<ReadVm | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const start = nowMs();
      try {
        const recs = await lv.allDomainStats(LIST_STATS | StatsTypes.CPU_TOTAL, 0, [dom]);
        const atMs = (start + nowMs()) / 2;
        return recs[0] && fromRecord(recs[0], os, atMs);
      } catch (err) {
        // A domain that is gone fails the call (or is left out of its answer when it went meanwhile).
        if (isNotFound(err)) return undefined;
        // One caught mid-stop can fail its monitor's part ("Unable to read from monitor"): once it
        // is down it reads fine, so it is tried again a moment later (not when the connection is gone).
        if (attempt === 3 || !lv.connected) throw err;
        await sleep(50 * attempt);
      }
    }
  };
  return {
    async all() {
      const at = Date.now();
      const entries = await listVms(lv, opts.uptime ? { uptime: opts.uptime } : {});
      return Promise.all(
        entries.map(async (entry) => ({
          ref: { uuid: entry.uuid, name: entry.name },
          entry,
          startedAtMs: await startOf(entry.name, entry.state),
          cpu: null,
          at,
        })),
      );
    },
    one(ref, os) {
      return read(
        new Domain(lv.rpc, ref.dom ?? { name: ref.name, uuid: uuidFromString(ref.uuid), id: -1 }),
        os,
      );
    },
    async named(name) {
      const dom = await lv.domains.lookup(name).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      return dom && read(dom);
    },
    async counters(active) {
      const start = nowMs();
      const recs = await lv.allDomainStats(
        active ? COUNTER_STATS : StatsTypes.STATE | StatsTypes.BLOCK,
        active ? STATS_ACTIVE : STATS_INACTIVE,
      );
      const atMs = (start + nowMs()) / 2;
      const at = Date.now() - (nowMs() - atMs);
      return {
        atMs,
        at,
        vms: recs.map((rec) => {
          const e = entryFrom(
            { name: rec.domain.name, uuid: rec.domain.uuid, values: rec.values },
            { os: null, uptimeSeconds: null, cpuPercent: null },
          );
          return {
            ref: { uuid: e.uuid, name: e.name, dom: rec.ref },
            active: isActive(domainStateName(num(rec.values['state.state']) ?? -1)),
            cpuTimeNs: num(rec.values['cpu.time']) ?? null,
            memoryInUseBytes: e.memoryInUseBytes,
            disks: e.disks,
            diskAllocationBytes: e.diskAllocationBytes,
            diskCapacityBytes: e.diskCapacityBytes,
          };
        }),
      };
    },
  };
}

/**
 * The VM names a request that changes something (not GET) may have changed: its `:name`, and the
 * name of a VM it creates (POST /api/vms).
 */
export function namesChangedBy(req: {
  method: string;
  url: string;
  params: unknown;
  body: unknown;
}): string[] {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.url.startsWith('/api/vms')) return [];
  const named = (v: unknown) => {
    const n = (v as { name?: unknown } | null | undefined)?.name;
    return typeof n === 'string' ? [n] : [];
  };
  return [...named(req.params), ...(req.url.split('?')[0] === '/api/vms' ? named(req.body) : [])];
}

export interface VmListCacheOptions {
  /** The background sample of running VMs, ms. */
  intervalMs: number;
  /** The shut-off VMs' disk use is read every this many samples. */
  inactiveEvery: number;
  /** The list stays in demand this long after a request, ms. */
  demandMs: number;
  /**
   * Read every connected host's list as soon as the cache is made (`phyllo serve`): the first page
   * load after the server starts then answers from memory instead of waiting for a full read.
   */
  readAtStart: boolean;
}

export const DEFAULT_VM_LIST_OPTIONS: VmListCacheOptions = {
  intervalMs: 2000,
  inactiveEvery: 15,
  demandMs: 30_000,
  readAtStart: false,
};

interface HostState {
  list: HostVmList;
  lv: Libvirt;
  timer: NodeJS.Timeout | undefined;
  ticks: number;
}

/** The lifecycle events whose VM is read with its OS (its definition changed). */
const CONFIG_EVENTS = new Set(['defined', 'undefined']);

/** The in-memory VM lists of every host of a server (see the top of this file). */
export class VmListCache {
  private readonly byHost = new Map<string, Promise<HostState>>();
  private readonly ready = new Map<string, HostState>();
  private readonly stops: (() => void)[] = [];
  private lastDemand = 0;
  private holders = 0;
  private readonly opts: VmListCacheOptions;

  constructor(
    private readonly hosts: Hosts,
    private readonly feed: DomainEventFeed,
    jobs?: JobRegistry,
    opts: Partial<VmListCacheOptions> = {},
    /** How a host's VMs are read (tests: a fake host). */
    private readonly readerOf: (lv: Libvirt) => VmReader = (lv) => libvirtReader(lv),
  ) {
    this.opts = { ...DEFAULT_VM_LIST_OPTIONS, ...opts };
    this.stops.push(feed.listen((host, e) => this.onEvent(host, e)));
    this.stops.push(hosts.onChange((c) => this.onHost(c)));
    if (jobs) this.stops.push(jobs.subscribe((j) => this.onJob(j)));
    if (this.opts.readAtStart)
      for (const host of hosts.connected())
        void this.stateOf(host)
          .then((h) => h.list.listJson())
          .catch(() => undefined); // a failed read is read again when asked
  }

  /** The list of a connected host (`Hosts.get` gave it) as JSON text (`ListedVm[]`), from memory once read. */
  async listJson(host: { id: string; lv: Libvirt }): Promise<string> {
    this.lastDemand = Date.now();
    const h = await this.stateOf(host);
    // After a reconnection, kinds that failed to subscribe while the daemon was away are tried again.
    if (!h.list.built) await this.feed.watch(host.id, host.lv);
    const answer = await h.list.listJson();
    this.sample(h);
    return answer;
  }

  /** The host's list state, made (with its event subscriptions) on first use. */
  private stateOf(host: { id: string; lv: Libvirt }): Promise<HostState> {
    let p = this.byHost.get(host.id);
    if (!p) {
      // The events are subscribed before the first read, so none is missed between the two.
      p = this.feed.watch(host.id, host.lv).then(() => {
        const h: HostState = {
          list: new HostVmList(this.readerOf(host.lv)),
          lv: host.lv,
          timer: undefined,
          ticks: 0,
        };
        this.ready.set(host.id, h);
        return h;
      });
      this.byHost.set(host.id, p);
      p.catch(() => this.byHost.delete(host.id));
    }
    return p;
  }

  /** The API changed (or may have) the VM `name` on host `id` (default: the first). */
  touched(id: string | undefined, name: string): void {
    const h = this.ready.get(id ?? this.hosts.ids()[0] ?? '');
    h?.list.touched(name);
  }

  /** Keeps the stats sampling on while held (an /api/events client is connected); returns the release. */
  hold(): () => void {
    this.holders++;
    for (const h of this.ready.values()) this.sample(h);
    let held = true;
    return () => {
      if (held) this.holders--;
      held = false;
    };
  }

  close(): void {
    for (const stop of this.stops) stop();
    for (const h of this.ready.values()) clearInterval(h.timer);
    this.ready.clear();
    this.byHost.clear();
  }

  private inDemand(): boolean {
    return this.holders > 0 || Date.now() - this.lastDemand < this.opts.demandMs;
  }

  /** Starts the host's sampling timer (and a first sample) if it is not running. */
  private sample(h: HostState): void {
    if (h.timer || !h.list.built) return;
    const tick = () => {
      if (!this.inDemand() || !h.lv.connected) {
        clearInterval(h.timer);
        h.timer = undefined;
        return;
      }
      const inactive = h.ticks++ % this.opts.inactiveEvery === 0;
      // One call at a time per host: the shut-off VMs' disks after the running VMs' counters.
      void h.list
        .sample(false)
        .then(() => (inactive ? h.list.sample(true) : undefined))
        .catch(() => undefined);
    };
    h.timer = setInterval(tick, this.opts.intervalMs);
    h.timer.unref();
    tick();
  }

  private onEvent(host: string, e: DomainEvent): void {
    if (e.kind === 'reboot') return; // the same QEMU process: nothing the list shows changes
    const h = this.ready.get(host);
    if (!h) return;
    const ref = { uuid: uuidToString(e.dom.uuid), name: e.dom.name, dom: e.dom };
    h.list.changed(ref, e.kind === 'lifecycle' && CONFIG_EVENTS.has(e.event));
  }

  private onHost(c: HostChange): void {
    const h = this.ready.get(c.id);
    if (!h) return;
    h.list.reset();
    if (!c.connected) {
      clearInterval(h.timer);
      h.timer = undefined;
      return;
    }
    // Back: read it in full now if someone wants it, after the event subscriptions are in place.
    if (this.inDemand())
      void this.feed
        .watch(c.id, c.lv)
        .catch(() => undefined)
        .then(() => h.list.refresh())
        .then(() => this.sample(h));
  }

  private onJob(j: JobView): void {
    if (j.state === 'running') return;
    if (j.vm) this.touched(j.host, j.vm);
    const made = (j.result as { name?: unknown } | undefined)?.name;
    if (typeof made === 'string') this.touched(j.host, made);
  }
}
