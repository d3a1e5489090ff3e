import { setTimeout as sleep } from 'node:timers/promises';
import {
  domainStateName,
  MetadataType,
  StatsTypes,
  type DomainState,
  type Domain,
  type Libvirt,
} from '../libvirt/index.js';
import { LIBOSINFO_NS, PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { remoteHostOf } from './model-host-facts.js';
import { rootOrderApplies, sortByName } from './name-order.js';
import { shutoffCacheApplies, shutoffVmCache, type ShutoffVmCacheOptions } from './shutoff-vm-cache.js';
import { bootTime, localUptimeSeconds, type UptimeDirs } from './qemu-uptime.js';

export interface VmDiskUse {
  /** The target (`vda`, `sda`). */
  name: string;
  path?: string;
  allocationBytes?: number;
  capacityBytes?: number;
}

export interface VmListEntry {
  name: string;
  uuid: string;
  state: DomainState;
  /** Phyllome's OS id from our metadata (`debian12`), else the libosinfo id libvirt stores; null if neither. */
  os: string | null;
  vcpus: number | null;
  /** The memory it is defined with (the balloon's maximum). */
  memoryBytes: number | null;
  disks: VmDiskUse[];
  /** Sums over `disks` (an inserted ISO counts too: the stats do not say which disk is a CD-ROM). */
  diskAllocationBytes: number | null;
  diskCapacityBytes: number | null;
  /** Running VMs on this machine only (age of the QEMU process); null when it cannot be known. */
  uptimeSeconds: number | null;
  /** Running VMs, only with the CPU sample (`--cpu`): cpu.time over the interval, per vCPU, in %. */
  cpuPercent: number | null;
  /** Running VMs: what the QEMU process holds in host memory (balloon.rss). */
  memoryInUseBytes: number | null;
}

export interface VmListOptions {
  /** Take a second stats sample this many ms after the first, for running VMs, to get CPU %. */
  cpuSampleMs?: number;
  uptime?: UptimeDirs;
  /** Only these VMs (`vm info`); default every VM. */
  only?: Domain[];
  /** Where what was seen of shut-off VMs is remembered (shutoff-vm-cache.ts); default the user's cache. */
  cache?: ShutoffVmCacheOptions;
}

/**
 * The stats the list needs, in one call for every domain. `cpu.time` (CPU_TOTAL) only serves the CPU
 * sample, which adds it: of 200 shut-off VMs it is most of the call (6.0 ms with it, 2.3 ms without).
 */
export const LIST_STATS = StatsTypes.STATE | StatsTypes.BALLOON | StatsTypes.VCPU | StatsTypes.BLOCK;

function num(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' ? v : undefined;
}

function disksOf(values: Record<string, unknown>): VmDiskUse[] {
  const count = num(values['block.count']) ?? 0;
  const disks: VmDiskUse[] = [];
  for (let i = 0; i < count; i++) {
    const p = `block.${i}.`;
    const path = values[p + 'path'];
    const allocation = num(values[p + 'allocation']);
    const capacity = num(values[p + 'capacity']);
    disks.push({
      name: String(values[p + 'name'] ?? `disk ${i}`),
      ...(typeof path === 'string' ? { path } : {}),
      ...(allocation === undefined ? {} : { allocationBytes: allocation }),
      ...(capacity === undefined ? {} : { capacityBytes: capacity }),
    });
  }
  return disks;
}

function sum(disks: VmDiskUse[], key: 'allocationBytes' | 'capacityBytes'): number | null {
  const known = disks.filter((d) => d[key] !== undefined);
  return known.length ? known.reduce((a, d) => a + d[key]!, 0) : null;
}

/** Phyllome's OS id (`<phyllome:os>`), else libosinfo's (`<libosinfo:os id=…>`), from small metadata calls. */
export async function osOf(dom: Domain): Promise<string | null> {
  const ours = await dom.metadata(MetadataType.ELEMENT, PHYLLOME_NS).catch(() => undefined);
  const os = ours && /<(?:[\w.-]+:)?os>([^<]*)<\/(?:[\w.-]+:)?os>/.exec(ours)?.[1];
  if (os) return os;
  const osinfo = await dom.metadata(MetadataType.ELEMENT, LIBOSINFO_NS).catch(() => undefined);
  return (osinfo && /<(?:[\w.-]+:)?os\s[^>]*id=["']([^"']+)["']/.exec(osinfo)?.[1]) || null;
}

/** One entry from a stats record (and what was looked up beside it). */
export function entryFrom(
  rec: { name: string; uuid: string; values: Record<string, unknown> },
  extra: { os: string | null; uptimeSeconds: number | null; cpuPercent: number | null },
): VmListEntry {
  const v = rec.values;
  const state = domainStateName(num(v['state.state']) ?? -1);
  const active = state === 'running' || state === 'paused' || state === 'blocked';
  const maxKiB = num(v['balloon.maximum']);
  const rssKiB = num(v['balloon.rss']);
  const disks = disksOf(v);
  return {
    name: rec.name,
    uuid: rec.uuid,
    state,
    os: extra.os,
    vcpus: num(v['vcpu.current']) ?? null,
    memoryBytes: maxKiB === undefined ? null : maxKiB * 1024,
    disks,
    diskAllocationBytes: sum(disks, 'allocationBytes'),
    diskCapacityBytes: sum(disks, 'capacityBytes'),
    uptimeSeconds: active ? extra.uptimeSeconds : null,
    cpuPercent: active ? extra.cpuPercent : null,
    memoryInUseBytes: active && rssKiB !== undefined ? rssKiB * 1024 : null,
  };
}

/**
 * CPU use between two samples: the growth of `cpu.time` (ns, all of QEMU's threads) over the wall time
 * between the two calls, per vCPU: 100 % is every vCPU busy all the time (QEMU's own threads can take it
 * a little above).
 */
export function cpuPercent(
  before: { cpuTimeNs: number; atMs: number },
  after: { cpuTimeNs: number; atMs: number },
  vcpus: number,
): number | null {
  const wallNs = (after.atMs - before.atMs) * 1e6;
  if (wallNs <= 0 || vcpus <= 0 || after.cpuTimeNs < before.cpuTimeNs) return null;
  return Math.round(((after.cpuTimeNs - before.cpuTimeNs) / wallNs / vcpus) * 1000) / 10;
}

/** A monotonic clock in ms: the one `performance.now()` reads, without loading perf_hooks (~1 ms). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Each call's time is the middle of its round trip: when the daemon read the counters, as near as we know. */
async function sampled(lv: Libvirt, stats: number, doms: Domain[] = []) {
  const start = nowMs();
  const recs = await lv.allDomainStats(stats, 0, doms);
  return { recs, atMs: (start + nowMs()) / 2 };
}

/**
 * The values, each promise among them replaced (in the same array) by what it resolves to; only the
 * promises are waited for.
 */
async function settled<T>(values: (T | Promise<T>)[]): Promise<T[]> {
  const out = values as T[];
  const waits: Promise<void>[] = [];
  values.forEach((v, i) => {
    if (v instanceof Promise) waits.push(v.then((x) => void (out[i] = x)));
  });
  if (waits.length) await Promise.all(waits);
  return out;
}

/** A domain and its stats: from the daemon's reply, or remembered (shutoff-vm-cache.ts). */
interface Stats {
  domain: Domain;
  values: Record<string, unknown>;
}

/**
 * Every VM on the connection with state, OS, vCPUs, memory and disk use from ONE all-domain stats call
 * (plus a small metadata lookup per VM for its OS); on the local daemons, a shut-off VM whose
 * definition and disks are the files seen by the last list is answered from what that list learnt
 * (shutoff-vm-cache.ts), and only the others are asked. Running VMs get the memory QEMU holds, their
 * uptime on this machine (unknown on a remote host) and, with `cpuSampleMs`, CPU % from a second call
 * for the running ones only.
 */
export async function listVms(lv: Libvirt, opts: VmListOptions = {}): Promise<VmListEntry[]> {
  const withCpu = opts.cpuSampleMs !== undefined;
  const stats = LIST_STATS | (withCpu ? StatsTypes.CPU_TOTAL : 0);
  // The whole list remembers what it saw of each shut-off VM (shutoff-vm-cache.ts); a few VMs
  // (`vm info`) are simply asked.
  const cacheable = !opts.only && shutoffCacheApplies(lv.requestedUri, opts.cache);
  // Without the cache, the OS lookups need the domains, not their stats: the list (one small call) is
  // asked together with the stats, and the metadata calls go as soon as it is in, so the daemon answers
  // them while it still gathers the stats, whose reply, the largest to decode, comes while it answers
  // the rest. With it, the list comes first, to know which VMs to ask. A CPU sample is timed by its
  // reply, which must not wait behind that work: it is asked last, as on its own.
  const early = withCpu || cacheable ? undefined : sampled(lv, stats, opts.only);
  early?.catch(() => undefined); // awaited below, unless the list fails first
  const listing = opts.only ? Promise.resolve(opts.only) : lv.domains.list();
  // The cache's file is read while the daemon answers (its calls leave first: ~0.5 ms for 200 VMs).
  lv.flush();
  const cache = cacheable ? shutoffVmCache(lv.requestedUri, osOf, opts.cache) : undefined;
  const doms = await listing;
  const ask = cache?.osOf ?? osOf;
  // A remembered OS is taken as it is: 200 promises, even settled ones, cost 1.5-2.4 ms in a cold process.
  const osById = new Map<string, string | null | Promise<string | null>>(
    doms.map((d) => {
      const known = cache?.knownOs(d);
      return [d.uuid, known === undefined ? ask(d) : known];
    }),
  );
  const remembered = new Map<string, Record<string, unknown>>();
  for (const d of cache?.enabled ? doms : []) {
    const v = cache!.statsOf(d);
    if (v) remembered.set(d.uuid, v);
  }
  const toAsk = cache?.enabled ? doms.filter((d) => !remembered.has(d.uuid)) : doms;
  // The names are sorted as localeCompare sorts them. Where that takes ICU's collator (see name-order.ts:
  // about 10 ms to build in a fresh process), it is built while the daemon answers; not while a CPU
  // sample is out, whose time would be read late.
  const collator = withCpu || rootOrderApplies(doms.map((d) => d.name)) ? undefined : new Intl.Collator();
  const askedAt = Date.now();
  const fresh = early
    ? await early
    : toAsk.length
      ? await sampled(lv, stats, cache?.enabled ? toAsk : opts.only)
      : { recs: [], atMs: nowMs() };
  for (const r of fresh.recs) cache?.rememberStats(r.domain, r.values, askedAt);
  const asked = new Map<string, Stats>(fresh.recs.map((r) => [r.domain.uuid, r]));
  // The list's order where it came first (a VM gone between the two calls is left out); else the reply's.
  const recs: Stats[] = cache?.enabled
    ? doms.flatMap((d) => {
        const v = remembered.get(d.uuid);
        return v ? [{ domain: d, values: v }] : (asked.get(d.uuid) ?? []);
      })
    : fresh.recs;
  const local = remoteHostOf(lv.requestedUri) === undefined;
  const now = Date.now();
  const isActive = (r: Stats) => [1, 2, 3].includes(num(r.values['state.state']) ?? 0);
  const running = recs.filter(isActive);
  const btime = local && running.length ? await bootTime(opts.uptime?.root) : undefined;
  const [osIds, uptimes, cpu] = await Promise.all([
    settled(recs.map((r) => (osById.has(r.domain.uuid) ? osById.get(r.domain.uuid)! : ask(r.domain)))),
    settled(
      recs.map((r) =>
        local && isActive(r) ? localUptimeSeconds(r.domain.name, now, btime, opts.uptime) : undefined,
      ),
    ),
    withCpu && running.length
      ? sleep(opts.cpuSampleMs).then(() =>
          sampled(
            lv,
            stats,
            running.map((r) => r.domain),
          ),
        )
      : undefined,
  ]);
  cache?.save();
  const second = new Map(cpu?.recs.map((r) => [r.domain.uuid, r.values]) ?? []);
  const entries = recs.map((r, i) => {
    const later = second.get(r.domain.uuid);
    const t0 = num(r.values['cpu.time']);
    const t1 = later && num(later['cpu.time']);
    const vcpus = num(r.values['vcpu.current']) ?? 1;
    return entryFrom(
      { name: r.domain.name, uuid: r.domain.uuid, values: r.values },
      {
        os: osIds[i] ?? null,
        uptimeSeconds: uptimes[i] ?? null,
        cpuPercent:
          t0 !== undefined && t1 !== undefined && cpu
            ? cpuPercent({ cpuTimeNs: t0, atMs: fresh.atMs }, { cpuTimeNs: t1, atMs: cpu.atMs }, vcpus)
            : null,
      },
    );
  });
  return sortByName(entries, (e) => e.name, collator);
}
