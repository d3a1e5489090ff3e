import { setTimeout as sleep } from 'node:timers/promises';
import { parseMeminfo } from './memory.js';
import { parseCpuTotals, readProcesses, type ProcessSample } from './processes.js';
import type { RootFs } from './root-fs.js';
import { unneededServices, type ServiceFinding, type ServiceSource } from './unneeded-services.js';

/** Who a process works for. */
export type OverheadGroup = 'guests' | 'virtualization' | 'phyllome' | 'host';

/** libvirt's daemons and the helpers it starts beside QEMU. */
const VIRTUALIZATION = new Set([
  'libvirtd',
  'virtqemud',
  'virtlogd',
  'virtlockd',
  'virtnetworkd',
  'virtstoraged',
  'virtnodedevd',
  'virtproxyd',
  'virtsecretd',
  'virtinterfaced',
  'virtnwfilterd',
  'swtpm',
  'passt',
  'virtiofsd',
  'dnsmasq',
  'virt-ssh-helper',
]);

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Which group a process belongs to; `self` are Phyllome's own process ids (the server, this CLI). */
export function groupOf(p: ProcessSample, self: ReadonlySet<number>): OverheadGroup {
  const prog = base(p.argv[0] ?? '');
  if (p.comm.startsWith('qemu-system') || prog.startsWith('qemu-system')) return 'guests';
  if (VIRTUALIZATION.has(p.comm) || VIRTUALIZATION.has(prog)) {
    // dnsmasq serves libvirt's networks only when libvirt started it (its config under libvirt's dirs).
    if (p.comm === 'dnsmasq' && !p.argv.some((a) => a.includes('libvirt'))) return 'host';
    return 'virtualization';
  }
  if (self.has(p.pid)) return 'phyllome';
  if (p.argv.some((a) => a.endsWith('/dist/src/cli/start.cjs')) && p.argv.includes('serve'))
    return 'phyllome';
  return 'host';
}

export interface GroupUse {
  /** Resident memory of the group's processes, bytes (for `host`: everything used that no other group holds). */
  memoryBytes: number;
  /** Share of the whole machine's CPU time (all cores = 100) over the sample. */
  cpuPercent: number;
  processes: number;
  /** The biggest processes by memory (at most 5): name, pid, bytes. */
  top: { name: string; pid: number; memoryBytes: number }[];
}

export interface OverheadReport {
  memory: {
    totalBytes: number;
    availableBytes: number | null;
    /** What guests could have at most: total minus what the host, libvirt and Phyllome use. */
    leftForGuestsBytes: number;
  };
  cpu: { sampleMs: number; cores: number; busyPercent: number };
  groups: Record<OverheadGroup, GroupUse>;
  services: { source: ServiceSource; note: string; unneeded: ServiceFinding[] };
}

export interface OverheadOptions {
  /** How long to watch CPU use (default 500 ms; 0: memory only, CPU 0). */
  sampleMs?: number;
  /** Phyllome's own process ids (default: this process). */
  self?: number[];
  cores?: number;
  /** The running service units, when a service manager runs (systemd); undefined otherwise. */
  runningUnits?: () => Promise<string[] | undefined>;
}

function emptyGroup(): GroupUse {
  return { memoryBytes: 0, cpuPercent: 0, processes: 0, top: [] };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * What the host costs its guests: memory and CPU of the host OS, of libvirt and its helpers, of
 * Phyllome itself, and what is left for guests; plus running services a headless VM host may not
 * need. Reads /proc below `fs`'s root (fixture trees in tests) twice, `sampleMs` apart.
 */
export async function hostOverhead(fs: RootFs, opts: OverheadOptions = {}): Promise<OverheadReport> {
  const sampleMs = opts.sampleMs ?? 500;
  const self = new Set(opts.self ?? [process.pid]);
  const meminfo = fs.text('proc/meminfo');
  const mem = meminfo.known ? parseMeminfo(meminfo.value) : meminfo;
  if (!mem.known) throw new Error(`Cannot read the host's memory: ${mem.reason}`);
  const cpu0 = fs.text('proc/stat');
  const before = new Map(readProcesses(fs).map((p) => [p.pid, p.cpuTicks]));
  const t0 = cpu0.known ? parseCpuTotals(cpu0.value) : undefined;
  if (sampleMs > 0) await sleep(sampleMs);
  const procs = readProcesses(fs);
  const cpu1 = fs.text('proc/stat');
  const t1 = cpu1.known ? parseCpuTotals(cpu1.value) : undefined;
  const totalTicks = t0 && t1 ? t1.total - t0.total : 0;
  const busyTicks = t0 && t1 ? t1.busy - t0.busy : 0;

  const groups: Record<OverheadGroup, GroupUse> = {
    guests: emptyGroup(),
    virtualization: emptyGroup(),
    phyllome: emptyGroup(),
    host: emptyGroup(),
  };
  const groupTicks: Record<OverheadGroup, number> = { guests: 0, virtualization: 0, phyllome: 0, host: 0 };
  const members: Record<OverheadGroup, ProcessSample[]> = {
    guests: [],
    virtualization: [],
    phyllome: [],
    host: [],
  };
  for (const p of procs) {
    const g = groupOf(p, self);
    members[g].push(p);
    groups[g].processes++;
    groups[g].memoryBytes += p.rssBytes;
    const was = before.get(p.pid);
    if (was !== undefined) groupTicks[g] += Math.max(0, p.cpuTicks - was);
  }
  const { totalBytes, availableBytes } = mem.value;
  const used = availableBytes === null ? undefined : totalBytes - availableBytes;
  // The host OS is everything in use that guests, libvirt and Phyllome do not hold: its processes,
  // the kernel, and memory the kernel cannot hand back (MemAvailable already counts what it can).
  if (used !== undefined)
    groups.host.memoryBytes = Math.max(
      groups.host.memoryBytes,
      used - groups.guests.memoryBytes - groups.virtualization.memoryBytes - groups.phyllome.memoryBytes,
    );
  const pct = (ticks: number) => (totalTicks > 0 ? round1((ticks * 100) / totalTicks) : 0);
  for (const g of ['guests', 'virtualization', 'phyllome'] as const)
    groups[g].cpuPercent = pct(groupTicks[g]);
  // Host CPU: all busy time that is not the other groups' (kernel threads, interrupts, other processes).
  groups.host.cpuPercent = pct(
    Math.max(
      groupTicks.host,
      busyTicks - groupTicks.guests - groupTicks.virtualization - groupTicks.phyllome,
    ),
  );
  for (const g of Object.keys(members) as OverheadGroup[])
    groups[g].top = members[g]
      .filter((p) => p.rssBytes > 0)
      .sort((a, b) => b.rssBytes - a.rssBytes)
      .slice(0, 5)
      .map((p) => ({ name: p.comm || base(p.argv[0] ?? '?'), pid: p.pid, memoryBytes: p.rssBytes }));
  const services = await unneededServices(procs, opts.runningUnits);
  const overhead = groups.host.memoryBytes + groups.virtualization.memoryBytes + groups.phyllome.memoryBytes;
  return {
    memory: { totalBytes, availableBytes, leftForGuestsBytes: Math.max(0, totalBytes - overhead) },
    cpu: {
      sampleMs,
      cores: opts.cores ?? 0,
      busyPercent: pct(busyTicks),
    },
    groups,
    services,
  };
}

/** `phyllo host overhead` and `GET /api/host/overhead`: the live host (or a fixture root), measured. */
export async function measureOverhead(
  opts: { root?: string; sampleMs?: number; self?: number[] } = {},
): Promise<OverheadReport> {
  const { RootFs } = await import('./root-fs.js');
  const { cpuCount, systemdRunningUnits } = await import('./systemd-units.js');
  const fs = RootFs.open(opts.root ?? '/');
  return hostOverhead(fs, {
    ...(opts.sampleMs === undefined ? {} : { sampleMs: opts.sampleMs }),
    ...(opts.self ? { self: opts.self } : {}),
    cores: cpuCount(fs),
    runningUnits: systemdRunningUnits(fs),
  });
}
