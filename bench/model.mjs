// Benchmark: producing domain XML with `phyllo vm create … --print-xml` vs `virt-install --print-xml`,
// each as a whole process, many runs: median wall time and peak RSS (from /usr/bin/time -f %M).
// Usage: node bench/model.mjs [--runs N] [--virt-install-runs N] [--json]
// Needs: npm run build, /usr/bin/time (Debian package `time`), virt-install (Debian package `virtinst`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// The installed command: bin/phyllo, which starts the bundled CLI (npm run build makes both).
const CLI = join(ROOT, 'bin', 'phyllo');
const BUNDLE = join(ROOT, 'dist', 'src', 'cli', 'phyllo.cjs');
const TIME = '/usr/bin/time';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runs = arg('--runs', 21);
const viRuns = arg('--virt-install-runs', 7);
const json = process.argv.includes('--json');

/** Each guest once: Phyllome's OS id and the virt-install flags that ask for the same machine. */
const GUESTS = [
  ['Windows 11', 'windows-11', ['--osinfo', 'win11', '--boot', 'uefi', '--tpm', 'default']],
  ['Linux', 'linux', ['--osinfo', 'linux2022', '--boot', 'uefi']],
];
const phylloArgs = (name, os) => [
  CLI,
  'vm',
  'create',
  name,
  '--os',
  os,
  '--memory',
  '4096',
  '--disk-size',
  'none',
];
const viArgs = (name, vi) => ['--print-xml', ...vi, '--disk', 'none', '--memory', '4096', '--name', name];

const cases = GUESTS.map(([guest, os, vi]) => ({
  guest,
  phyllo: [...phylloArgs('x', os), '--print-xml'],
  virtInstall: ['virt-install', ...viArgs('x', vi)],
}));

/** One run under /usr/bin/time: wall milliseconds (measured here) and peak RSS in KiB (from time). */
function once(cmdOrFn) {
  const cmd = typeof cmdOrFn === 'function' ? cmdOrFn() : cmdOrFn;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', 'PEAKRSS %M', ...cmd], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /PEAKRSS (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m)
    throw new Error(`${cmd.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(0, 400)}`);
  if (!r.stdout.includes('<domain') && !r.stdout.includes('efined') && !r.stdout.includes('Created'))
    throw new Error(`${cmd[0]} printed neither domain XML nor a definition`);
  return { ms, rssKiB: Number(m[1]) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function measure(cmd, n, cleanup = () => {}) {
  once(cmd); // warm the page cache
  cleanup();
  const samples = Array.from({ length: n }, () => {
    const s = once(cmd);
    cleanup();
    return s;
  });
  return {
    runs: n,
    medianMs: Math.round(median(samples.map((s) => s.ms)) * 10) / 10,
    medianPeakRssMiB: Math.round((median(samples.map((s) => s.rssKiB)) / 1024) * 10) / 10,
    maxPeakRssMiB: Math.round((Math.max(...samples.map((s) => s.rssKiB)) / 1024) * 10) / 10,
  };
}

// Defining: a fresh name each run, undefined again after each run (not timed).
let seq = 0;
const defName = () => `phyllo-bench-model-${process.pid}-${seq}`;
const undefine = () => {
  spawnSync('virsh', ['-q', 'undefine', defName(), '--nvram', '--tpm'], { stdio: 'ignore' });
  seq++;
};
const defineCases = GUESTS.map(([guest, os, vi]) => ({
  guest: `${guest} (define)`,
  phyllo: () => phylloArgs(defName(), os),
  virtInstall: () => [
    'sh',
    '-c',
    `virt-install ${viArgs(defName(), vi).join(' ')} | virsh define /dev/stdin`,
  ],
  cleanup: undefine,
}));
cases.push(...defineCases);

if (!existsSync(TIME)) throw new Error('/usr/bin/time is missing: apt-get install time');
if (!existsSync(BUNDLE)) throw new Error('dist/ is missing: npm run build');
const hasVirtInstall = spawnSync('virt-install', ['--version']).status === 0;

const results = cases.map((c) => {
  const phyllo = measure(c.phyllo, c.cleanup ? Math.min(runs, 11) : runs, c.cleanup);
  const virtInstall = hasVirtInstall ? measure(c.virtInstall, viRuns, c.cleanup) : undefined;
  return {
    guest: c.guest,
    phyllo,
    virtInstall,
    speedup: virtInstall ? Math.round((virtInstall.medianMs / phyllo.medianMs) * 10) / 10 : undefined,
    memoryRatio: virtInstall
      ? Math.round((phyllo.maxPeakRssMiB / virtInstall.maxPeakRssMiB) * 100) / 100
      : undefined,
  };
});

if (json) process.stdout.write(JSON.stringify({ results }, null, 2) + '\n');
else {
  const rows = [['guest', 'tool', 'runs', 'median ms', 'peak RSS MiB (median/max)', 'vs virt-install']];
  const row = (guest, tool, m, versus) => [
    guest,
    tool,
    String(m.runs),
    String(m.medianMs),
    `${m.medianPeakRssMiB} / ${m.maxPeakRssMiB}`,
    versus,
  ];
  for (const r of results) {
    const define = r.guest.endsWith('(define)');
    rows.push(
      row(
        r.guest,
        define ? 'phyllo vm create' : 'phyllo vm create --print-xml',
        r.phyllo,
        r.speedup ? `${r.speedup}× faster, ${r.memoryRatio}× memory` : 'n/a',
      ),
    );
    if (r.virtInstall)
      rows.push(
        row(
          r.guest,
          define ? 'virt-install --print-xml | virsh define' : 'virt-install --print-xml',
          r.virtInstall,
          '',
        ),
      );
    else rows.push([r.guest, 'virt-install (not installed)', '-', '-', '-', '']);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(w[i])).join('  '));
}
