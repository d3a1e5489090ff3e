// Processes as /proc shows them, for the benchmarks that weigh a server's memory: resident memory
// (VmRSS) of one process, and the processes a process started.
import { readdirSync, readFileSync } from 'node:fs';

/** A field of /proc/PID/status in KiB (VmRSS, VmHWM), or undefined when the process is gone. */
export function statusKiB(pid, field = 'VmRSS') {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0; // a zombie has no VmRSS line
  } catch {
    return undefined;
  }
}

/** Every process now: pid, parent, real uid and command name. */
export function processes() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const field = (k) => new RegExp(`^${k}:\\s+(\\S+)`, 'm').exec(status)?.[1];
      out.push({
        pid: Number(d),
        ppid: Number(field('PPid')),
        uid: Number(field('Uid')),
        comm: field('Name'),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The processes below `pid` (children, their children, …). */
export function descendants(pid, all = processes()) {
  const below = [];
  let frontier = [pid];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    below.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return below;
}

export const mib = (kib) => (kib === undefined ? NaN : kib / 1024);

/** `sample()` (resident KiB) every 250 ms for `seconds`: the last value and the highest. */
export async function hold(sample, seconds) {
  let max = 0;
  let last = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    last = sample();
    max = Math.max(max, last);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { last, max };
}
