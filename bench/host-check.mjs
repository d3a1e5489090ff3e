// Benchmark: `phyllo host check` and `phyllo host devices` as whole processes, next to
// `virt-host-validate qemu` on the same machine, and `node -e 0` to show Node's own start-up.
// Run after `npm run build`:  node bench/host-check.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const WARMUP = 3;
const PCI_DEVICES = 300;
// The installed command (a launcher and the bundled CLI, see docs/architecture.md).
const PHYLLO = 'bin/phyllo';
const MAKE_FIXTURES = 'dist/test/fixtures/hosts/make-fixtures.js';

if (!existsSync('dist/src/cli/phyllo.cjs') || !existsSync(MAKE_FIXTURES)) {
  console.error('build first: npm run build');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'phyllo-bench-'));
const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
const node = process.execPath;

function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout };
}

function measure(cmd, args) {
  for (let i = 0; i < WARMUP; i++) run(cmd, args);
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(run(cmd, args).ms);
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { median: at(0.5), p90: at(0.9), min: times[0] };
}

try {
  run(node, [MAKE_FIXTURES, 'big-host', work, String(PCI_DEVICES)]);
  const big = join(work, 'big-host');
  // Prime the KVM boot-test cache once (this is the slow, real boot test: several seconds).
  const prime = run(PHYLLO, ['host', 'check', '--json']);
  const verdict = JSON.parse(prime.stdout).host.kvmVerdict;
  const devices = JSON.parse(run(PHYLLO, ['host', 'devices', '--root', big, '--json']).stdout);
  const pciCount = devices.groups.reduce((n, g) => n + g.devices.length, 0);

  const rows = [
    ['node -e 0 (Node start-up alone)', node, ['-e', '0']],
    ['node -e 0 without NODE_EXTRA_CA_CERTS', 'env', ['-u', 'NODE_EXTRA_CA_CERTS', node, '-e', '0']],
    ['phyllo --help (CLI start-up)', PHYLLO, ['--help']],
    ['phyllo host check --json (live host, cached boot test)', PHYLLO, ['host', 'check', '--json']],
    ['phyllo host check (live host, human output)', PHYLLO, ['host', 'check']],
    [
      `phyllo host check --json --root <${pciCount} PCI devices>`,
      PHYLLO,
      ['host', 'check', '--json', '--root', big],
    ],
    [
      `phyllo host devices --json --root <${pciCount} PCI devices>`,
      PHYLLO,
      ['host', 'devices', '--json', '--root', big],
    ],
    ['phyllo host devices --json (live host)', PHYLLO, ['host', 'devices', '--json']],
    ['virt-host-validate qemu', 'virt-host-validate', ['qemu']],
  ];
  console.log(`KVM verdict used from cache: ${verdict.state} (priming run took ${prime.ms.toFixed(0)} ms)`);
  console.log(`${RUNS} runs each after ${WARMUP} warm-up runs; wall-clock ms per whole process\n`);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'command'.padEnd(w)}  ${'median'.padStart(8)}  ${'p90'.padStart(8)}  ${'min'.padStart(8)}`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}`);
  for (const [label, cmd, args] of rows) {
    const m = measure(cmd, args);
    console.log(
      `${label.padEnd(w)}  ${m.median.toFixed(1).padStart(8)}  ${m.p90.toFixed(1).padStart(8)}  ${m.min.toFixed(1).padStart(8)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
