/**
 * A second libvirt "host" on this machine, for tests of what crosses from one host to another
 * (migration). It is a real libvirtd from the same Debian packages, run in its own network namespace
 * (reached over a veth pair at 10.99.N.2, libvirt's TCP transport) and its own mount namespace, where
 * empty directories are bound over /run/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt
 * and a copy of /etc/libvirt. It has its own host UUID (libvirt refuses to migrate to the same host),
 * no cgroups and no virtlogd. Needs root, `ip` (iproute2) and `unshare` (util-linux).
 *
 * Options make it a host with different facts, for tests that must tell the two apart: `memoryKiB`
 * binds a fake NUMA node meminfo (what libvirt's node info reads) and /proc/meminfo over the real
 * ones; `hideSwtpm` binds /dev/null over /usr/bin/swtpm, so its libvirt lists no emulated TPM
 * backend; `ssh` runs an sshd (OpenSSH server) in the namespaces too, on the host's address, port 22,
 * with generated keys, so it is reachable as qemu+ssh:// (virt-ssh-helper there reaches its daemon);
 * `qemuHook` installs a libvirt hook script (/etc/libvirt/hooks/qemu in its copy, read by libvirt when
 * the daemon starts), so a test can make libvirt refuse one domain's start with a real error;
 * `imagesMiB` makes its /var/lib/libvirt/images a tmpfs of that size (`DIR/lib/images` here, where a
 * test can fill it), for tests of a disk that does not fit.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { takeHostSlot } from './host-slot.js';
import { portOpen } from './port.js';
import { writeSshdConfig } from './sshd-config.js';
import { testGuestPaths } from './test-guest.js';
import { mountTmpfs } from './tmpfs.js';
import { waitFor } from './wait.js';

export interface SecondHost {
  /** `qemu+tcp://10.99.N.2/system`. */
  uri: string;
  /** The second host's address, for migration data (`tcp://ADDRESS`). */
  address: string;
  hostUuid: string;
  /** `qemu+ssh://root@ADDRESS/system?keyfile=…&no_verify=1` when started with `ssh`. */
  sshUri?: string;
  /** Its network namespace (`ip netns exec NAME …`). */
  netns: string;
  /** Where its private libvirt directories are on this machine: `DIR/lib` is its /var/lib/libvirt. */
  dir: string;
  /** Kills its libvirtd at once (SIGKILL), as a crash would: for tests of a daemon dying midway. */
  killDaemon(): void;
  /**
   * Starts its libvirtd again after `killDaemon()`, at the same address with the same state (its
   * domains, and running guests, which outlive the daemon); resolves once it listens.
   */
  restartDaemon(): Promise<void>;
  /** Destroys its domains, stops its daemon, removes its namespace and files. */
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * Ends every process still in network namespace `ns`: the dnsmasq its libvirtd started for its
 * default network daemonizes out of the daemon's process tree, and would keep the namespace (and
 * itself) alive after `ip netns del`.
 */
function killNamespace(ns: string): void {
  let pids: number[];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return; // no such namespace
  }
  for (const pid of pids)
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
}

export interface SecondHostOptions {
  /** The memory its libvirt reports (node info, free memory), in KiB. */
  memoryKiB?: number;
  /** Hide swtpm from its libvirt. */
  hideSwtpm?: boolean;
  /** Also reachable over SSH. */
  ssh?: boolean;
  /**
   * The text of a libvirt qemu hook script (`#!/bin/sh` …), installed executable as its
   * /etc/libvirt/hooks/qemu. libvirt runs it as `qemu DOMAIN OPERATION SUB-OPERATION -` with the
   * domain XML on stdin; a non-zero exit at `prepare` or `start` makes that start fail.
   */
  qemuHook?: string;
  /** Its /var/lib/libvirt/images is a tmpfs of this many MiB (seen here as `DIR/lib/images`). */
  imagesMiB?: number;
  /** A running dir pool `default` over its /var/lib/libvirt/images (it starts without pools). */
  imagesPool?: boolean;
}

const SSHD = '/usr/sbin/sshd';

/** Fake meminfo files: one per NUMA node of this machine (the memory split evenly), and /proc/meminfo. */
function fakeMeminfo(dir: string, memoryKiB: number): string {
  const nodes = existsSync('/sys/devices/system/node')
    ? readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n))
    : [];
  const per = Math.floor(memoryKiB / Math.max(1, nodes.length));
  const free = Math.floor(per * 0.9);
  const binds: string[] = [];
  for (const n of nodes) {
    const id = n.slice(4);
    const file = join(dir, `${n}-meminfo`);
    const real = readFileSync(`/sys/devices/system/node/${n}/meminfo`, 'utf8');
    const lines = real.split('\n').map((l) =>
      l
        .replace(/^(Node \d+ MemTotal:\s+)\d+/, `$1${per}`)
        .replace(/^(Node \d+ MemFree:\s+)\d+/, `$1${free}`)
        .replace(/^(Node \d+ MemUsed:\s+)\d+/, `$1${per - free}`),
    );
    writeFileSync(file, lines.join('\n'));
    binds.push(`mount --bind ${file} /sys/devices/system/node/node${id}/meminfo`);
  }
  const proc = readFileSync('/proc/meminfo', 'utf8')
    .replace(/^(MemTotal:\s+)\d+/m, `$1${memoryKiB}`)
    .replace(/^(MemFree:\s+)\d+/m, `$1${Math.floor(memoryKiB * 0.9)}`)
    .replace(/^(MemAvailable:\s+)\d+/m, `$1${Math.floor(memoryKiB * 0.9)}`);
  writeFileSync(join(dir, 'proc-meminfo'), proc);
  binds.push(`mount --bind ${join(dir, 'proc-meminfo')} /proc/meminfo`);
  return binds.join('\n');
}

function sshdSetup(dir: string, address: string): string {
  const config = writeSshdConfig(dir, address, 22);
  return `mkdir -p /run/sshd\n${SSHD} -f ${config} -E ${join(dir, 'sshd.log')}`;
}

/** The hook script, written beside the start script and installed into its copy of /etc/libvirt. */
function qemuHookSetup(dir: string, text: string): string {
  writeFileSync(join(dir, 'qemu-hook'), text);
  return `install -D -m 0755 ${join(dir, 'qemu-hook')} /etc/libvirt/hooks/qemu`;
}

/**
 * The script run inside the new mount namespace: private libvirt directories (made afresh unless it
 * is a restart), then the daemon.
 */
function daemonScript(dir: string, hostUuid: string, extra: string, fresh = true): string {
  const setup = `mkdir -p $D/run $D/lib/qemu $D/lib/images $D/cache/qemu $D/log/qemu $D/etc
cp -a /etc/libvirt/. $D/etc/
rm -f $D/etc/qemu/*.xml $D/etc/qemu/autostart/* $D/etc/qemu/networks/*.xml $D/etc/qemu/networks/autostart/*
rm -f $D/etc/storage/*.xml $D/etc/storage/autostart/*
printf '%s\\n' 'listen_tls = 0' 'listen_tcp = 1' 'auth_tcp = "none"' 'host_uuid = "${hostUuid}"' > $D/etc/libvirtd.conf
printf '%s\\n' 'cgroup_controllers = [ ]' 'stdio_handler = "file"' > $D/etc/qemu.conf`;
  return `set -e
D=${dir}
${fresh ? setup : 'rm -f $D/libvirtd.pid'}
mount --bind $D/run /run/libvirt
mount --rbind $D/lib /var/lib/libvirt
mount --bind $D/cache /var/cache/libvirt
mount --bind $D/log /var/log/libvirt
mount --bind $D/etc /etc/libvirt
${extra}
exec /usr/sbin/libvirtd --listen --pid-file $D/libvirtd.pid
`;
}

export async function startSecondHost(opts: SecondHostOptions = {}): Promise<SecondHost> {
  const slot = takeHostSlot();
  const n = slot.n;
  const ns = `phyllo-host-${n}`;
  const vethA = `phya${n}`;
  const vethB = `phyb${n}`;
  const address = `10.99.${n}.2`;
  const hostUuid = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-second-host-'));
  const script = join(dir, 'start.sh');
  // What a restart does again (sshd, in the background, outlives the daemon).
  const again = [
    opts.memoryKiB !== undefined ? fakeMeminfo(dir, opts.memoryKiB) : '',
    opts.hideSwtpm ? 'mount --bind /dev/null /usr/bin/swtpm' : '',
    opts.qemuHook !== undefined ? qemuHookSetup(dir, opts.qemuHook) : '',
  ];
  const extra = [...again, opts.ssh ? sshdSetup(dir, address) : ''].join('\n');
  writeFileSync(script, daemonScript(dir, hostUuid, extra));
  const restartScript = join(dir, 'restart.sh');
  writeFileSync(restartScript, daemonScript(dir, hostUuid, again.join('\n'), false));
  // Mounted here, before its mount namespace is made (a copy of this one), so both see the same files.
  const unmountImages =
    opts.imagesMiB !== undefined ? mountTmpfs(join(dir, 'lib/images'), opts.imagesMiB) : undefined;

  // The slot is this process's now: a namespace or link of that name is a killed run's leftover.
  killNamespace(ns);
  for (const args of [
    ['netns', 'del', ns],
    ['link', 'del', vethA],
  ])
    try {
      run('ip', args);
    } catch {
      // none
    }
  run('ip', ['netns', 'add', ns]);
  let daemon: ChildProcess | undefined;
  let exited: Promise<never> = new Promise(() => undefined);
  /**
   * Runs a daemon script in the namespace; resolves once it listens, with a promise that rejects
   * when it exits (wrapped: an async function returning a promise would wait for it).
   */
  const launch = async (file: string): Promise<{ gone: Promise<never> }> => {
    let log = '';
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'bash', file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    daemon = child;
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const gone = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`the second libvirtd exited (${code}): ${log.slice(-2000)}`)),
      ),
    );
    gone.catch(() => undefined);
    await Promise.race([
      waitFor(
        'the second libvirtd on TCP 16509',
        async () => ((await portOpen(address, 16509)) ? true : undefined),
        { limitMs: 60_000 },
      ),
      gone,
    ]);
    return { gone };
  };
  const teardown = () => {
    daemon?.kill('SIGTERM');
    try {
      // sshd left the script's process tree when it went to the background: its pid file names it.
      process.kill(Number(readFileSync(join(dir, 'sshd.pid'), 'utf8')), 'SIGTERM');
    } catch {
      // no sshd, or gone already
    }
    killNamespace(ns);
    try {
      run('ip', ['link', 'del', vethA]);
    } catch {
      // gone with the namespace already
    }
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {
      // never created
    }
    try {
      unmountImages?.();
    } catch {
      // left for rmSync to fail on, with its reason
    }
    rmSync(dir, { recursive: true, force: true });
    slot.release();
  };
  try {
    run('ip', ['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
    run('ip', ['link', 'set', vethB, 'netns', ns]);
    run('ip', ['addr', 'add', `10.99.${n}.1/24`, 'dev', vethA]);
    run('ip', ['link', 'set', vethA, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', vethB]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vethB, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    exited = (await launch(script)).gone;
    if (opts.ssh)
      await Promise.race([
        waitFor(
          'the second host’s sshd on port 22',
          async () => ((await portOpen(address, 22)) ? true : undefined),
          {
            limitMs: 30_000,
          },
        ),
        exited,
      ]);
  } catch (err) {
    teardown();
    throw err;
  }

  const uri = `qemu+tcp://${address}/system`;
  if (opts.imagesPool) {
    const lv = await connect(uri);
    try {
      await lv.pools.create(
        `<pool type='dir'><name>default</name><target><path>/var/lib/libvirt/images</path></target></pool>`,
      );
    } finally {
      await lv.close();
    }
  }
  return {
    uri,
    address,
    hostUuid,
    netns: ns,
    ...(opts.ssh
      ? { sshUri: `qemu+ssh://root@${address}/system?keyfile=${join(dir, 'client_key')}&no_verify=1` }
      : {}),
    dir,
    killDaemon() {
      process.kill(Number(readFileSync(join(dir, 'libvirtd.pid'), 'utf8').trim()), 'SIGKILL');
    },
    async restartDaemon() {
      await exited.catch(() => undefined); // the killed one has let go of its port and pid file
      await waitFor('the second libvirtd’s port to close', async () =>
        (await portOpen(address, 16509)) ? undefined : true,
      );
      exited = (await launch(restartScript)).gone;
    },
    async stop() {
      let lv: Libvirt | undefined;
      try {
        lv = await connect(uri);
        for (const d of await lv.domains.list()) await d.destroy().catch(() => undefined);
      } catch {
        // the daemon is already gone
      } finally {
        await lv?.close().catch(() => undefined);
        teardown();
      }
    },
  };
}

/**
 * Why a test of a second host (booting the test guest there) cannot run here, or false when it can:
 * it needs root (namespaces) and, with `guest`, the built test guest.
 */
export function secondHostSkip(opts: { guest?: boolean } = {}): string | false {
  if (process.getuid?.() !== 0) return 'needs root: it starts a second libvirt daemon in namespaces';
  if (opts.guest)
    try {
      testGuestPaths();
    } catch (err) {
      return (err as Error).message;
    }
  return false;
}
