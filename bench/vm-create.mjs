// Benchmark: defining a VM with a new disk, `phyllo vm create` vs `virt-install --import --noreboot`
// for the same OS (Linux, UEFI), memory and disk size, each as a whole process, in the same run.
// Both create a qcow2 image in the default pool and define the domain; neither starts it (checked
// every run: the domain is shut off and QEMU never wrote a log for it). Everything is removed
// after each run (not timed).
// Usage: node bench/vm-create.mjs [--runs N] [--virt-install-runs N] [--json]
// Needs: npm run build, root (the system daemon), virt-install (Debian package `virtinst`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'phyllo');
const BUNDLE = join(ROOT, 'dist', 'src', 'cli', 'phyllo.cjs');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runs = arg('--runs', 11);
const viRuns = arg('--virt-install-runs', 11);
const json = process.argv.includes('--json');

const MEMORY_MIB = 2048;
const DISK_GIB = 20;
const phyllo = (name) => [
  CLI,
  ...['vm', 'create', name, '--os', 'linux', '--memory', String(MEMORY_MIB), '--disk-size', `${DISK_GIB}G`],
];
const virtInstall = (name) => [
  'virt-install',
  ...['--import', '--noreboot', '--noautoconsole', '--osinfo', 'linux2022', '--boot', 'uefi'],
  ...['--disk', `size=${DISK_GIB}`, '--memory', String(MEMORY_MIB), '--name', name],
];

let seq = 0;
const nameOf = (tool) => `phyllo-bench-create-${tool}-${process.pid}-${seq}`;

function virsh(...args) {
  return spawnSync('virsh', ['-c', 'qemu:///system', '-q', ...args], { encoding: 'utf8' });
}

/** The domain was defined, with its disk, and never started; then it is removed. */
function checkAndRemove(name) {
  const state = virsh('domstate', name).stdout.trim();
  if (state !== 'shut off') throw new Error(`${name} is "${state}" after creation, not "shut off"`);
  if (existsSync(`/var/log/libvirt/qemu/${name}.log`))
    throw new Error(`${name} was started (QEMU log exists)`);
  const disks = virsh('domblklist', name).stdout;
  if (!disks.includes(`/var/lib/libvirt/images/${name}.qcow2`))
    throw new Error(`${name} has no new disk: ${disks}`);
  const r = virsh('undefine', name, '--nvram', '--tpm', '--remove-all-storage');
  if (r.status !== 0) throw new Error(`could not remove ${name}: ${r.stderr}`);
  seq++;
}

function once(tool, cmdOf) {
  const name = nameOf(tool);
  const cmd = cmdOf(name);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  checkAndRemove(name);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summary(samples) {
  return {
    runs: samples.length,
    medianMs: Math.round(median(samples) * 10) / 10,
    minMs: Math.round(Math.min(...samples) * 10) / 10,
  };
}

/**
 * Both tools, taking turns (phyllo, virt-install, phyllo, …), so that a busy moment on a shared machine
 * falls on both alike; each is run once first (page cache; the default network and pool exist after).
 */
function measureBoth(pRuns, vRuns) {
  once('phyllo', phyllo);
  once('virtinst', virtInstall);
  const p = [];
  const v = [];
  for (let i = 0; i < Math.max(pRuns, vRuns); i++) {
    if (i < pRuns) p.push(once('phyllo', phyllo));
    if (i < vRuns) v.push(once('virtinst', virtInstall));
  }
  return { p: summary(p), v: summary(v) };
}

if (!existsSync(BUNDLE)) throw new Error('dist/ is missing: npm run build');
if (spawnSync('virt-install', ['--version']).status !== 0)
  throw new Error('virt-install is missing: apt-get install virtinst');

const { p, v } = measureBoth(runs, viRuns);
const speedup = Math.round((v.medianMs / p.medianMs) * 10) / 10;
const result = {
  memoryMiB: MEMORY_MIB,
  diskGiB: DISK_GIB,
  phyllo: p,
  virtInstall: v,
  speedup,
  target: 10,
  met: speedup >= 10,
};

if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  const rows = [
    ['tool (Linux, UEFI, 2 GiB, new 20 GiB qcow2, defined, not started)', 'runs', 'median ms', 'min ms'],
    ['phyllo vm create', String(p.runs), String(p.medianMs), String(p.minMs)],
    ['virt-install --import --noreboot --noautoconsole', String(v.runs), String(v.medianMs), String(v.minMs)],
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(w[i])).join('  '));
  console.log(`phyllo vm create is ${speedup}× faster (target ≥ 10×: ${result.met ? 'met' : 'not met'})`);
}
