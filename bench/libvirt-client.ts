/**
 * Phyllome's libvirt client vs libvirt's own C library (python3-libvirt, in-process) vs `virsh`,
 * on the same daemon, in the same run, with 200 defined domains.
 *
 *   node dist/bench/libvirt-client.js [--uri qemu:///system] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connect, isNotFound } from '../src/libvirt/index.js';
import { fmt, percentile, table, timeProcess, timeRuns } from './stats.js';

const { values } = parseArgs({
  options: {
    uri: { type: 'string', default: 'qemu:///system' },
    keep: { type: 'boolean', default: false },
    domains: { type: 'string', default: '200' },
    calls: { type: 'string', default: '5000' },
  },
});
const uri = values.uri;
const DOMAINS = Number(values.domains);
const CALLS = Number(values.calls);
const REPS = 30;
const PREFIX = 'phyllo-bench-';

function domainXml(name: string): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>`;
}

const lv = await connect(uri);
const existing = new Set((await lv.domains.list()).map((d) => d.ref.name));
const made: string[] = [];
for (let i = 0; i < DOMAINS; i++) {
  const name = PREFIX + String(i).padStart(3, '0');
  if (!existing.has(name)) {
    await lv.domains.define(domainXml(name));
    made.push(name);
  }
}
const total = (await lv.domains.list()).length;

// Ours.
// Warm up: V8 optimizes the call path after a few thousand calls (p99 0.34 ms cold vs 0.12-0.14 warm).
for (let i = 0; i < 5000; i++) await lv.libVersion();
const lat = await timeRuns(CALLS, () => lv.libVersion());
const inflight = 256;
let t = process.hrtime.bigint();
{
  let next = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next++ < CALLS * 4) await lv.libVersion();
    }),
  );
}
const throughput = (CALLS * 4) / (Number(process.hrtime.bigint() - t) / 1e9);
t = process.hrtime.bigint();
const listMs = await timeRuns(REPS, () => lv.domains.list());
const listStateMs = await timeRuns(REPS, () => lv.domains.listWithState());
const statsMs = await timeRuns(REPS, () => lv.allDomainStats());

// libvirt's C library, in-process.
const py = spawnSync(
  '/usr/bin/python3',
  [new URL('../../bench/libvirt_c.py', import.meta.url).pathname, uri, String(CALLS), String(REPS)],
  {
    encoding: 'utf8',
  },
);
if (py.status !== 0) throw new Error(`the C-library benchmark failed: ${py.stderr}`);
const c = JSON.parse(py.stdout) as Record<string, number>;

// virsh, whole processes.
const VIRSH_REPS = 10;
const virshList = percentile(timeProcess(VIRSH_REPS, 'virsh', ['-c', uri, 'list', '--all']), 0.5);
const virshStats = percentile(timeProcess(VIRSH_REPS, 'virsh', ['-c', uri, 'domstats']), 0.5);
// What any virsh command costs before it does its work: start-up, connect, one trivial call.
const virshFloor = percentile(timeProcess(VIRSH_REPS, 'virsh', ['-c', uri, 'uri']), 0.5);

const p50 = percentile(lat, 0.5);
const rows = [
  ['trivial call p50 (getLibVersion), ms', fmt(p50), fmt(c.trivialP50!), '-', ratio(c.trivialP50!, p50)],
  [
    'trivial call p99, ms',
    fmt(percentile(lat, 0.99)),
    fmt(c.trivialP99!),
    '-',
    ratio(c.trivialP99!, percentile(lat, 0.99)),
  ],
  [
    `calls/s, ${inflight} in flight (C: 8 threads)`,
    fmt(throughput, 0),
    fmt(c.throughput8!, 0),
    '-',
    ratio(throughput, c.throughput8!),
  ],
  [
    'calls/s, one at a time (C: 1 thread)',
    fmt(1000 / p50, 0),
    fmt(c.throughput1!, 0),
    '-',
    ratio(1000 / p50, c.throughput1!),
  ],
  [
    'list all domains, ms',
    fmt(percentile(listMs, 0.5)),
    fmt(c.listAllMs!),
    fmt(virshList),
    ratio(c.listAllMs!, percentile(listMs, 0.5)),
  ],
  [
    'list all domains with state, ms',
    fmt(percentile(listStateMs, 0.5)),
    fmt(c.listWithStateMs!),
    fmt(virshList),
    ratio(c.listWithStateMs!, percentile(listStateMs, 0.5)),
  ],
  [
    'all-domain stats, ms',
    fmt(percentile(statsMs, 0.5)),
    fmt(c.statsMs!),
    fmt(virshStats),
    ratio(c.statsMs!, percentile(statsMs, 0.5)),
  ],
  ['virsh start-up + connect + one call (`virsh uri`), ms', '-', '-', fmt(virshFloor), '-'],
];
console.log(
  `libvirt client benchmark: ${uri}, ${total} domains, ${CALLS} sequential calls, medians of ${REPS} (virsh: ${VIRSH_REPS} processes)`,
);
console.log(table(['measure', 'phyllome', 'C library', 'virsh', 'phyllome vs C'], rows));
console.log(
  `virsh vs phyllome: list ${fmt(virshList / percentile(listStateMs, 0.5), 1)}× slower, stats ${fmt(virshStats / percentile(statsMs, 0.5), 1)}× slower`,
);
console.log('C list-with-state calls state() once per domain; ours reads every state in one stats call.');

if (!values.keep) {
  for (const name of made) {
    try {
      await (await lv.domains.lookup(name)).undefine();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
await lv.close();

/** "1.23× better" when ours is faster/higher, else "0.81× (slower)". */
function ratio(better: number, ours: number): string {
  const r = better / ours;
  return r >= 1 ? `${fmt(r, 2)}× better` : `${fmt(r, 2)}× (worse)`;
}
