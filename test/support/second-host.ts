/**
 * A second libvirt "host" on this machine, for tests of what crosses from one host to another
 * (migration). It is a real libvirtd from the same Debian packages, run in its own network namespace
 * (reached over a veth pair at 10.99.N.2, libvirt's TCP transport) and its own mount namespace, where
 * empty directories are bound over /run/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt
 * and a copy of /etc/libvirt. It has its own host UUID (libvirt refuses to migrate to the same host),
 * no cgroups and no virtlogd. Needs root, `ip` (iproute2) and `unshare` (util-linux).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { portOpen } from './port.js';
import { waitFor } from './wait.js';

export interface SecondHost {
  /** `qemu+tcp://10.99.N.2/system`. */
  uri: string;
  /** The second host's address, for migration data (`tcp://ADDRESS`). */
  address: string;
  hostUuid: string;
  /** Destroys its domains, stops its daemon, removes its namespace and files. */
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** The script run inside the new mount namespace: private libvirt directories, then the daemon. */
function daemonScript(dir: string, hostUuid: string): string {
  return `set -e
D=${dir}
mkdir -p $D/run $D/lib/qemu $D/lib/images $D/cache/qemu $D/log/qemu $D/etc
cp -a /etc/libvirt/. $D/etc/
rm -f $D/etc/qemu/*.xml $D/etc/qemu/autostart/* $D/etc/qemu/networks/*.xml $D/etc/qemu/networks/autostart/*
rm -f $D/etc/storage/*.xml $D/etc/storage/autostart/*
printf '%s\\n' 'listen_tls = 0' 'listen_tcp = 1' 'auth_tcp = "none"' 'host_uuid = "${hostUuid}"' > $D/etc/libvirtd.conf
printf '%s\\n' 'cgroup_controllers = [ ]' 'stdio_handler = "file"' > $D/etc/qemu.conf
mount --bind $D/run /run/libvirt
mount --bind $D/lib /var/lib/libvirt
mount --bind $D/cache /var/cache/libvirt
mount --bind $D/log /var/log/libvirt
mount --bind $D/etc /etc/libvirt
exec /usr/sbin/libvirtd --listen --pid-file $D/libvirtd.pid
`;
}

export async function startSecondHost(): Promise<SecondHost> {
  const n = (process.pid % 200) + 20;
  const ns = `phyllo-host-${process.pid}`;
  const vethA = `phya${process.pid % 100000}`;
  const vethB = `phyb${process.pid % 100000}`;
  const address = `10.99.${n}.2`;
  const hostUuid = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-second-host-'));
  const script = join(dir, 'start.sh');
  writeFileSync(script, daemonScript(dir, hostUuid));

  run('ip', ['netns', 'add', ns]);
  let daemon: ChildProcess | undefined;
  const teardown = () => {
    daemon?.kill('SIGTERM');
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
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('ip', ['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
    run('ip', ['link', 'set', vethB, 'netns', ns]);
    run('ip', ['addr', 'add', `10.99.${n}.1/24`, 'dev', vethA]);
    run('ip', ['link', 'set', vethA, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', vethB]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vethB, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    let log = '';
    daemon = spawn(
      'ip',
      ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'bash', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    daemon.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    daemon.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<never>((_, reject) =>
      daemon?.once('exit', (code) =>
        reject(new Error(`the second libvirtd exited (${code}): ${log.slice(-2000)}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([
      waitFor(
        'the second libvirtd on TCP 16509',
        async () => ((await portOpen(address, 16509)) ? true : undefined),
        {
          limitMs: 60_000,
        },
      ),
      exited,
    ]);
  } catch (err) {
    teardown();
    throw err;
  }

  const uri = `qemu+tcp://${address}/system`;
  return {
    uri,
    address,
    hostUuid,
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
