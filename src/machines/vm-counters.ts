import {
  domainStateName,
  StatsTypes,
  type Domain,
  type DomainState,
  type Libvirt,
} from '../libvirt/index.js';

/** One VM's cumulative counters from libvirt's stats: what /metrics exports and stats rates derive from. */
export interface VmCounters {
  name: string;
  uuid: string;
  state: DomainState;
  vcpus: number | null;
  /** CPU time used since QEMU started, nanoseconds (cpu.time). */
  cpuTimeNs: number | null;
  /** The memory it is defined with (balloon.maximum), bytes. */
  memoryBytes: number | null;
  /** What QEMU holds in host memory (balloon.rss), bytes; running VMs only. */
  memoryRssBytes: number | null;
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
}

const COUNTER_STATS =
  StatsTypes.STATE |
  StatsTypes.CPU_TOTAL |
  StatsTypes.BALLOON |
  StatsTypes.VCPU |
  StatsTypes.BLOCK |
  StatsTypes.INTERFACE;

function num(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' ? v : undefined;
}

/** Sums `PREFIX.N.FIELD` over the N the record counts (`block.count`, `net.count`). */
function sum(values: Record<string, unknown>, prefix: string, field: string): number {
  const count = num(values[`${prefix}.count`]) ?? 0;
  let total = 0;
  for (let i = 0; i < count; i++) total += num(values[`${prefix}.${i}.${field}`]) ?? 0;
  return total;
}

/** The counters of every VM (or of `only`), from one all-domain stats call. */
export async function vmCounters(lv: Libvirt, only?: Domain[]): Promise<VmCounters[]> {
  const recs = await lv.allDomainStats(COUNTER_STATS, 0, only ?? []);
  return recs.map((r) => {
    const v = r.values;
    const kib = (k: string) => {
      const n = num(v[k]);
      return n === undefined ? null : n * 1024;
    };
    return {
      name: r.domain.name,
      uuid: r.domain.uuid,
      state: domainStateName(num(v['state.state']) ?? -1),
      vcpus: num(v['vcpu.current']) ?? null,
      cpuTimeNs: num(v['cpu.time']) ?? null,
      memoryBytes: kib('balloon.maximum'),
      memoryRssBytes: kib('balloon.rss'),
      diskReadBytes: sum(v, 'block', 'rd.bytes'),
      diskWriteBytes: sum(v, 'block', 'wr.bytes'),
      netRxBytes: sum(v, 'net', 'rx.bytes'),
      netTxBytes: sum(v, 'net', 'tx.bytes'),
    };
  });
}
