// Benchmark: `phyllo vm list --json` (state, OS, vCPUs, memory, disk use of every VM: one all-domain stats
// call plus one metadata call per VM) next to `virsh list --all` (names and states only), same run, with
// 200 tiny shut-off VMs defined for it (and removed after).
// Run after `npm run build`, as root (the system daemon):  node bench/vm-list.mjs [--runs N] [--vms N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 20);
const VMS = arg('--vms', 200);
const WARMUP = 3;
const URI = 'qemu:///system';
const PHYLLO = 'bin/phyllo';
const NODE_START = ['env', ['-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '0']];

if (!existsSync('dist/src/cli/phyllo.cjs')) {
  console.error('build first: npm run build');
  process.exit(1);
}
const { defineBenchVms } = await import('./bench-vms.mjs');

function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

// The commands take turns (a, b, c, a, b, c, …) so that a busy moment on a shared machine falls on all
// of them alike.
function measureAll(rows) {
  for (let i = 0; i < WARMUP; i++) for (const [, cmd, args] of rows) run(cmd, args);
  const times = rows.map(() => []);
  for (let i = 0; i < RUNS; i++) rows.forEach(([, cmd, args], j) => times[j].push(run(cmd, args).ms));
  return times.map((t) => {
    t.sort((a, b) => a - b);
    const at = (q) => t[Math.min(t.length - 1, Math.ceil(q * t.length) - 1)];
    return { median: at(0.5), p90: at(0.9), min: t[0] };
  });
}

const vms = await defineBenchVms(URI, VMS);

try {
  const list = JSON.parse(run(PHYLLO, ['vm', 'list', '--json', '--connect', URI]).stdout);
  const ours = list.filter((e) => e.name.startsWith(vms.prefix));
  if (ours.length !== VMS || ours.some((e) => e.os !== 'debian12' || e.state !== 'shutoff' || !e.vcpus))
    throw new Error('phyllo vm list did not report every bench VM with its OS, state and vCPUs');
  const virshCount = run('virsh', ['-c', URI, 'list', '--all', '--name'])
    .stdout.split('\n')
    .filter(Boolean).length;
  console.log(
    `${list.length} VMs on the daemon (${VMS} defined by this bench, shut off); virsh lists ${virshCount}`,
  );
  console.log(`${RUNS} runs each after ${WARMUP} warm-up runs; wall-clock ms per whole process\n`);
  const rows = [
    [
      'phyllo vm list --json (state, OS, vCPUs, memory, disks)',
      PHYLLO,
      ['vm', 'list', '--json', '--connect', URI],
    ],
    ['phyllo vm list (human table)', PHYLLO, ['vm', 'list', '--connect', URI]],
    ['virsh list --all (names and states only)', 'virsh', ['-c', URI, 'list', '--all']],
    ['node -e 0 (Node start-up alone)', ...NODE_START],
    ['phyllo --help (CLI start-up, no libvirt)', PHYLLO, ['--help']],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'command'.padEnd(w)}  ${'median'.padStart(8)}  ${'p90'.padStart(8)}  ${'min'.padStart(8)}`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}`);
  const results = measureAll(rows);
  for (const [j, [label]] of rows.entries()) {
    const m = results[j];
    console.log(
      `${label.padEnd(w)}  ${m.median.toFixed(1).padStart(8)}  ${m.p90.toFixed(1).padStart(8)}  ${m.min.toFixed(1).padStart(8)}`,
    );
  }
  const ratio = results[0].median / results[2].median;
  console.log(`\nphyllo vm list --json / virsh list --all (medians): ${ratio.toFixed(2)}x`);
} finally {
  await vms.removeAll();
}
