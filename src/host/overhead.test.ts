import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { groupOf, hostOverhead } from './overhead.js';
import { parseCpuTotals, parseStatTicks } from './processes.js';
import { RootFs } from './root-fs.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface FakeProc {
  pid: number;
  comm: string;
  argv: string[];
  rssKiB: number;
  ticks: number;
}

function writeProc(root: string, p: FakeProc): void {
  const d = join(root, 'proc', String(p.pid));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'comm'), `${p.comm}\n`);
  writeFileSync(join(d, 'cmdline'), p.argv.join('\0') + '\0');
  writeFileSync(join(d, 'status'), `Name:\t${p.comm}\nVmRSS:\t${p.rssKiB} kB\n`);
  // utime and stime are fields 14 and 15; the name may hold spaces and parentheses.
  writeFileSync(
    join(d, 'stat'),
    `${p.pid} (${p.comm}) S 1 1 1 0 -1 4194560 0 0 0 0 ${p.ticks} 0 0 0 20 0 1 0 100 0 0\n`,
  );
}

function writeStat(root: string, user: number, idle: number): void {
  writeFileSync(join(root, 'proc', 'stat'), `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 0 0 0 0\n`);
}

function host(procs: FakeProc[]): string {
  const root = mkdtempSync(join(tmpdir(), 'phyllo-overhead-'));
  dirs.push(root);
  mkdirSync(join(root, 'proc'), { recursive: true });
  mkdirSync(join(root, 'sys'), { recursive: true });
  writeFileSync(join(root, 'proc', 'meminfo'), 'MemTotal:       16384000 kB\nMemAvailable:   12288000 kB\n');
  writeStat(root, 1000, 9000);
  for (const p of procs) writeProc(root, p);
  return root;
}

const PROCS: FakeProc[] = [
  { pid: 1, comm: 'init', argv: ['/sbin/init'], rssKiB: 10_000, ticks: 5 },
  { pid: 2, comm: 'kthreadd', argv: [], rssKiB: 0, ticks: 1 },
  { pid: 100, comm: 'libvirtd', argv: ['/usr/sbin/libvirtd', '-d'], rssKiB: 40_000, ticks: 10 },
  {
    pid: 101,
    comm: 'dnsmasq',
    argv: ['/usr/sbin/dnsmasq', '--conf-file=/var/lib/libvirt/dnsmasq/default.conf'],
    rssKiB: 2_000,
    ticks: 0,
  },
  {
    pid: 102,
    comm: 'dnsmasq',
    argv: ['/usr/sbin/dnsmasq', '--conf-file=/etc/dnsmasq.conf'],
    rssKiB: 1_000,
    ticks: 0,
  },
  {
    pid: 200,
    comm: 'qemu-system-x86',
    argv: ['/usr/bin/qemu-system-x86_64', '-name', 'guest=web'],
    rssKiB: 2_000_000,
    ticks: 100,
  },
  { pid: 201, comm: 'swtpm', argv: ['swtpm', 'socket'], rssKiB: 5_000, ticks: 0 },
  {
    pid: 300,
    comm: 'node',
    argv: ['node', '/opt/phyllome/dist/src/cli/start.cjs', 'serve'],
    rssKiB: 60_000,
    ticks: 2,
  },
  { pid: 400, comm: 'cupsd', argv: ['/usr/sbin/cupsd', '-l'], rssKiB: 8_000, ticks: 0 },
  { pid: 401, comm: 'node', argv: ['node', 'other-app.js'], rssKiB: 30_000, ticks: 0 },
];

test('stat and /proc/stat parsing: a name with spaces and parentheses, the busy ticks', () => {
  assert.equal(parseStatTicks('7 (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 30 12 0 0'), 42);
  assert.equal(parseStatTicks('garbled'), undefined);
  assert.deepEqual(parseCpuTotals('cpu  10 2 3 80 5 0 0 0 0 0\n'), { total: 100, busy: 15 });
});

test('every process lands in its group: QEMU guests, libvirt and its helpers, Phyllome serve, the host', () => {
  const self = new Set<number>();
  const sample = (pid: number) => {
    const p = PROCS.find((x) => x.pid === pid)!;
    return { pid, comm: p.comm, argv: p.argv, rssBytes: p.rssKiB * 1024, cpuTicks: p.ticks };
  };
  const g = (pid: number) => groupOf(sample(pid), self);
  assert.equal(g(200), 'guests');
  assert.equal(g(100), 'virtualization');
  assert.equal(g(201), 'virtualization');
  assert.equal(g(101), 'virtualization', "libvirt's dnsmasq");
  assert.equal(g(102), 'host', 'a dnsmasq of the host’s own');
  assert.equal(g(300), 'phyllome');
  assert.equal(g(401), 'host');
  assert.equal(groupOf(sample(401), new Set([401])), 'phyllome', 'this process');
});

test('memory adds up to what is in use, CPU shares come from the two samples, cupsd is named', async () => {
  const root = host(PROCS);
  const fs = new RootFs(root);
  // Between the two reads: guests used 50 ticks, libvirtd 10, the machine 100 in all (80 busy).
  setTimeout(() => {
    writeProc(root, { ...PROCS[5]!, ticks: 150 });
    writeProc(root, { ...PROCS[2]!, ticks: 20 });
    writeStat(root, 1080, 9020);
  }, 20);
  const r = await hostOverhead(fs, {
    sampleMs: 200,
    self: [],
    cores: 4,
    runningUnits: async () => undefined,
  });
  const KiB = 1024;
  assert.equal(r.memory.totalBytes, 16_384_000 * KiB);
  assert.equal(r.memory.availableBytes, 12_288_000 * KiB);
  assert.equal(r.groups.guests.memoryBytes, 2_000_000 * KiB);
  assert.equal(r.groups.virtualization.memoryBytes, 47_000 * KiB);
  assert.equal(r.groups.phyllome.memoryBytes, 60_000 * KiB);
  // used = 4,096,000 kB; the host holds what the other groups do not.
  assert.equal(r.groups.host.memoryBytes, (4_096_000 - 2_000_000 - 47_000 - 60_000) * KiB);
  assert.equal(r.memory.leftForGuestsBytes, (16_384_000 - (4_096_000 - 2_000_000)) * KiB);
  assert.equal(r.groups.guests.cpuPercent, 50);
  assert.equal(r.groups.virtualization.cpuPercent, 10);
  assert.equal(r.groups.host.cpuPercent, 20, 'busy time no process group claims is the host’s');
  assert.equal(r.cpu.busyPercent, 80);
  assert.equal(r.groups.guests.top[0]?.name, 'qemu-system-x86');
  assert.equal(r.services.source, 'processes');
  assert.deepEqual(
    r.services.unneeded.map((s) => s.name),
    ['cupsd'],
  );
});

test('with systemd running, services come from its units, each with the command that stops it', async () => {
  const fs = new RootFs(host(PROCS));
  const r = await hostOverhead(fs, {
    sampleMs: 0,
    runningUnits: async () => ['cups.service', 'ssh.service', 'bluetooth.service'],
  });
  assert.equal(r.services.source, 'systemd');
  assert.deepEqual(
    r.services.unneeded.map((s) => [s.name, s.fix]),
    [
      ['cups.service', 'systemctl disable --now cups.service'],
      ['bluetooth.service', 'systemctl disable --now bluetooth.service'],
    ],
  );
  assert.equal(r.services.unneeded[0]?.memoryBytes, 8_000 * 1024);
});
