import type { RootFs } from './root-fs.js';

/** One process as /proc shows it: what it is, what it holds in memory, the CPU it has used. */
export interface ProcessSample {
  pid: number;
  /** The kernel's short name (/proc/PID/comm, 15 characters at most). */
  comm: string;
  /** The command line's words (empty for kernel threads). */
  argv: string[];
  /** Resident memory (VmRSS), bytes; 0 for kernel threads. */
  rssBytes: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** utime + stime from /proc/PID/stat (fields 14 and 15; the name in parentheses may hold spaces). */
export function parseStatTicks(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** VmRSS from /proc/PID/status, in bytes (0 when absent: a kernel thread). */
export function parseRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Every process below `fs`'s root; one that exits while being read is left out. */
export function readProcesses(fs: RootFs): ProcessSample[] {
  const entries = fs.list('proc');
  if (!entries.known) return [];
  const out: ProcessSample[] = [];
  for (const name of entries.value) {
    if (!/^\d+$/.test(name)) continue;
    const stat = fs.text(`proc/${name}/stat`);
    const status = fs.text(`proc/${name}/status`);
    if (!stat.known || !status.known) continue;
    const ticks = parseStatTicks(stat.value);
    if (ticks === undefined) continue;
    const comm = fs.text(`proc/${name}/comm`);
    const cmdline = fs.text(`proc/${name}/cmdline`);
    out.push({
      pid: Number(name),
      comm: comm.known ? comm.value.trim() : '',
      argv: cmdline.known ? cmdline.value.split('\0').filter((w) => w !== '') : [],
      rssBytes: parseRss(status.value),
      cpuTicks: ticks,
    });
  }
  return out;
}

/** The machine's CPU time from /proc/stat's first line: all ticks, and the busy ones (not idle/iowait). */
export function parseCpuTotals(stat: string): { total: number; busy: number } | undefined {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { total, busy: total - idle };
}
