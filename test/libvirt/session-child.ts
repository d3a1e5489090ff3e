/**
 * Run by session.test.ts as an unprivileged user with its own XDG_RUNTIME_DIR: connects to
 * qemu:///session (autostarting the daemon), then kills that daemon under a pending call and
 * checks that a reconnecting client comes back with its event subscription. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, ConnectionClosedError, Proc, type LifecycleEvent } from '../../src/libvirt/index.js';
import { sessionRuntimeDir } from '../../src/libvirt/dialers/session.js';

function daemonPid(): number {
  return Number(readFileSync(join(sessionRuntimeDir(), 'libvirtd.pid'), 'utf8').trim());
}

const out: Record<string, unknown> = {};
const first = await connect('qemu:///session');
out.uri = await first.uri();
out.hostname = await first.hostname();
out.libVersion = (await first.libVersion()).number;
await first.close();

const lv = await connect('qemu:///session', { reconnect: { initialDelayMs: 50, maxDelayMs: 1000 } });
const events = await lv.events.lifecycle();
const pid1 = daemonPid();
out.pid1 = pid1;
// Freeze the daemon so the call is certainly pending, then kill it.
process.kill(pid1, 'SIGSTOP');
const pending = lv.rpc.call(Proc.ConnectGetHostname, undefined);
const rc = lv.rpc as import('../../src/libvirt/index.js').ReconnectingClient;
const reconnected = rc.waitForReconnect();
await new Promise((r) => setTimeout(r, 100));
process.kill(pid1, 'SIGKILL');
try {
  await pending;
  out.pending = 'resolved';
} catch (err) {
  out.pending = err instanceof ConnectionClosedError ? err.code : String(err);
}
await reconnected;
out.pid2 = daemonPid();
out.hostnameAfter = await lv.hostname();

const name = `phyllo-sess-${process.pid}`;
const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os></domain>`;
const dom = await lv.domains.define(xml);
await dom.undefine();
const seen: string[] = [];
for await (const e of events as AsyncIterable<LifecycleEvent>) {
  if (e.dom.name !== name) continue;
  seen.push(e.event);
  if (e.event === 'undefined') break;
}
out.events = seen;
await lv.close();
console.log(JSON.stringify(out));
