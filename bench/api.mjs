// Benchmark of the API server (issue 9), in one run, each part next to its peer measured in the same run:
//  1. GET /api/vms (state, OS, vCPUs, memory, disk use of every VM) on 200 tiny shut-off VMs, p50 and
//     p99 over one keep-alive HTTP connection, vs `virsh list --all` + `virsh domstats` as a user runs
//     them (two processes per sample); the two take turns so a busy moment falls on both.
//  2. `phyllo serve`'s resident memory: idle, after the VM lists, with 1 and 5 /api/events clients each
//     subscribed to the stats of 5 running test guests; the event delay, libvirt emitting a lifecycle
//     event (seen by the bench's own libvirt connection) to each client receiving it.
//  3. The cockpit stack serving cockpit-machines for the same VMs (cockpit-ws + cockpit-bridge +
//     libvirt-dbus, Debian's packages, installed here when missing), with 1 and 5 browser sessions on
//     the VM list and polling the same 5 VMs' stats (bench/cockpit-peer.mjs says how).
// Run as root after `npm run build`:
//   node bench/api.mjs [--vms 200] [--requests 200] [--samples 20] [--events 20] [--hold 30] [--no-cockpit]
/* global fetch */
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const VMS = arg('--vms', 200);
const REQUESTS = arg('--requests', 200);
const SAMPLES = arg('--samples', 20);
const EVENTS = arg('--events', 20);
const HOLD_S = arg('--hold', 30);
const GUESTS = 5;
const CLIENTS = 5;
const WARMUP_REQUESTS = 20;
const WARMUP_SAMPLES = 2;
const URI = 'qemu:///system';
const RATIO_TARGET = 20;
const DELAY_TARGET_MS = 100;
const MEMORY_TARGET = 0.5;
/** A hang guard for one awaited event: a failure, not a speed limit. */
const EVENT_GUARD_MS = 60_000;

if (!existsSync('dist/src/cli/start.cjs')) {
  console.error('build first: npm run build');
  process.exit(1);
}
if (process.getuid?.() !== 0) {
  console.error(
    'run as root: the bench uses the system daemon, and for the cockpit peer apt-get and useradd',
  );
  process.exit(1);
}
const { percentile } = await import('../dist/bench/stats.js');
const { listVms, osOf } = await import('../dist/src/machines/vm-list.js');
const { connect, StatsTypes } = await import('../dist/src/libvirt/index.js');
const { testGuestDomainXml, waitForReport } = await import('../dist/test/support/test-guest.js');
const { defineBenchVms } = await import('./bench-vms.mjs');
const { startPhylloServe } = await import('./phyllo-serve.mjs');
const { hold, statusKiB, mib } = await import('./proc.mjs');
const cockpit = await import('./cockpit-peer.mjs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const stat = (xs) => ({ n: xs.length, p50: percentile(xs, 0.5), p99: percentile(xs, 0.99) });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * One sample of the peer: the two commands a user types, each a whole process; wall ms of both.
 * Other sessions' VMs come and go on this daemon, and `virsh domstats` fails as a whole when one of
 * them stops mid-call ("Unable to read from monitor"); such a sample is taken again, and counted.
 */
const retried = { virsh: [], api: [] };
function virshSample() {
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const failed = [['list', '--all'], ['domstats']]
      .map((args) =>
        spawnSync('virsh', ['-c', URI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }),
      )
      .find((r) => r.status !== 0);
    if (!failed) return performance.now() - t0;
    retried.virsh.push(String(failed.stderr).trim());
    if (attempt === 3) throw new Error(`virsh failed three times: ${failed.stderr}`);
  }
}

/** The resident memory of an idle Node process doing nothing: the floor under any Node server. */
async function nodeFloorKiB() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1500);
  const kib = statusKiB(child.pid);
  child.kill();
  return kib;
}

// Everything the bench makes is undone in `cleanups` (last made, first undone), also on Ctrl-C.
const cleanups = [];
let cleaning;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${e.message}`));
  })());
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => void cleanup().then(() => process.exit(130)));

const report = { load: [load()] };
try {
  console.log(`load average at start: ${load()} (${(await import('node:os')).cpus().length} cores)`);
  const vms = await defineBenchVms(URI, VMS, { handleSigint: false });
  cleanups.push(() => vms.removeAll());
  // The running VMs: test guests, booted to their ready line; one more (shut off) for the events.
  const serialDir = mkdtempSync(join(tmpdir(), 'phyllo-bench-api-'));
  cleanups.push(async () => rmSync(serialDir, { recursive: true, force: true }));
  const guests = Array.from({ length: GUESTS }, (_, i) => `${vms.prefix}guest-${i}`);
  const eventVm = `${vms.prefix}events`;
  for (const name of [...guests, eventVm]) vms.track(name);
  const lv = vms.lv;
  // One after another: five TCG boots at once on a small busy machine can hang a kernel in its timer
  // set-up; a guest that has not reported in a minute is started again (twice at most).
  for (const name of guests) {
    const serialFile = join(serialDir, `${name}.log`);
    const dom = await lv.domains.define(testGuestDomainXml({ name, serialFile }));
    for (let attempt = 1; ; attempt++) {
      await dom.start();
      try {
        await waitForReport(serialFile, { timeoutMs: 60_000 });
        break;
      } catch (e) {
        await dom.destroy().catch(() => undefined);
        if (attempt === 3) throw e;
        console.log(`${name} did not boot (${e.message}); starting it again`);
      }
    }
  }
  await lv.domains.define(testGuestDomainXml({ name: eventVm }));
  const onDaemon = (await lv.domains.list()).length;
  console.log(
    `${onDaemon} VMs on the daemon: ${VMS} shut off and ${GUESTS} running test guests defined by this bench, 1 more for the events`,
  );

  // --- phyllo serve -------------------------------------------------------------------------------
  const serve = await startPhylloServe(URI);
  cleanups.push(() => serve.stop());
  await sleep(3000);
  const mem = { idle: statusKiB(serve.pid), nodeFloor: await nodeFloorKiB() };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set();
  const auth = { Authorization: `Bearer ${serve.token}` };
  const request = (method, path) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(`${serve.url}${path}`, { method, agent, headers: auth }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const body = Buffer.concat(chunks);
          if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`));
          else resolve({ ms, body });
        });
      });
      req.on('socket', (s) => sockets.add(s));
      req.on('error', reject);
      req.end();
    });

  // 1. The VM list.
  const first = JSON.parse((await request('GET', '/api/vms')).body);
  const ours = first.filter((e) => e.name.startsWith(vms.prefix));
  const running = ours.filter((e) => e.state === 'running');
  if (
    ours.length !== VMS + GUESTS + 1 ||
    running.length !== GUESTS ||
    ours.some((e) => !e.state || !e.vcpus || !e.memoryBytes) ||
    running.some((e) => !e.memoryInUseBytes)
  )
    throw new Error('GET /api/vms did not report every bench VM with its state, vCPUs, memory and stats');
  for (let i = 0; i < WARMUP_REQUESTS; i++) await request('GET', '/api/vms').catch(() => undefined);
  for (let i = 0; i < WARMUP_SAMPLES; i++) virshSample();
  const logFrom = serve.log().length;
  const api = [];
  const virsh = [];
  let bytes = 0;
  // The same for the API: a request that fails (a VM of another session vanishing mid-list) is
  // made again, and counted.
  const listOnce = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request('GET', '/api/vms');
      } catch (e) {
        retried.api.push(e.message);
        if (attempt === 3) throw e;
      }
    }
  };
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < REQUESTS / SAMPLES; i++) {
      const r = await listOnce();
      api.push(r.ms);
      bytes = r.body.length;
    }
    virsh.push(virshSample());
  }
  const served = serve
    .log()
    .slice(logFrom)
    .filter((l) => l.msg === 'request completed' && typeof l.responseTime === 'number')
    .map((l) => l.responseTime);
  mem.afterList = statusKiB(serve.pid);
  // Where the time goes: the same service in this process, with no HTTP, and its two kinds of calls
  // to the daemon alone (the stats as src/machines/vm-list.ts asks for them).
  const own = await connect(URI);
  const doms = await own.domains.list();
  const LIST_STATS =
    StatsTypes.STATE | StatsTypes.CPU_TOTAL | StatsTypes.BALLOON | StatsTypes.VCPU | StatsTypes.BLOCK;
  const timed = async (fn) => {
    for (let i = 0; i < 3; i++) await fn();
    const out = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await fn();
      out.push(performance.now() - t0);
    }
    return stat(out);
  };
  const inProcess = await timed(() => listVms(own));
  const statsCall = await timed(() => own.allDomainStats(LIST_STATS, 0));
  const runningDoms = doms.filter((d) => guests.includes(d.name));
  const statsRunning = await timed(() => own.allDomainStats(LIST_STATS, 0, runningDoms));
  const metadataCalls = await timed(() => Promise.all(doms.map(osOf)));
  await own.close();
  const A = stat(api);
  const V = stat(virsh);
  report.list = {
    A,
    V,
    served: stat(served),
    inProcess,
    statsCall,
    statsRunning,
    metadataCalls,
    domains: doms.length,
    bytes,
    sockets: sockets.size,
  };

  // 2. Events and memory with clients.
  const events = await eventsPart(serve, guests, eventVm, lv);
  Object.assign(mem, events.mem);
  report.events = events;
  mem.hwm = statusKiB(serve.pid, 'VmHWM');
  report.phyllo = mem;
  agent.destroy();
  await serve.stop();
  report.load.push(load());

  // 3. The cockpit peer.
  report.cockpit = process.argv.includes('--no-cockpit')
    ? { skipped: '--no-cockpit' }
    : await cockpitPart(guests).catch((e) => ({ failed: e.message }));
  report.load.push(load());
  print(report);
} finally {
  await cleanup();
}

async function eventsPart(serve, guests, eventVm, lv) {
  const wsUrl = `${serve.url.replace(/^http/, 'ws')}/api/events`;
  const clients = [];
  const mem = {};
  // Is /api/events in this tree? A 404 on the upgrade says no.
  const probe = await new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${serve.token}` } });
    ws.once('open', () => (ws.close(), resolve(true)));
    ws.once('unexpected-response', (_req, res) =>
      resolve(res.statusCode === 404 ? false : `HTTP ${res.statusCode}`),
    );
    ws.once('error', (e) => resolve(e.message));
  });
  if (probe !== true)
    return { skipped: probe === false ? '/api/events is not in this tree (404)' : probe, mem };
  const openClient = () =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${serve.token}` } });
      const c = { ws, stats: 0, subscribed: 0, lifecycle: [], waiters: [] };
      ws.on('message', (data) => {
        const t = performance.now();
        const m = JSON.parse(data.toString());
        if (m.type === 'hello') resolve(c);
        else if (m.type === 'subscribed') c.subscribed++;
        else if (m.type === 'stats') c.stats++;
        else if (m.type === 'lifecycle' && m.vm === eventVm) c.lifecycle.push({ event: m.event, t });
        else if (m.type === 'error') console.error(`events error: ${JSON.stringify(m.error)}`);
        else if (m.type === 'resync') console.error(`a client was told to resync (dropped ${m.dropped})`);
        for (const w of c.waiters.splice(0)) w();
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_r, res) => reject(new Error(`/api/events: HTTP ${res.statusCode}`)));
    });
  const waitFor = (c, what, ok) =>
    new Promise((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`no ${what} within ${EVENT_GUARD_MS} ms`)),
        EVENT_GUARD_MS,
      );
      const check = () => {
        if (ok()) {
          clearTimeout(guard);
          resolve();
        } else c.waiters.push(check);
      };
      check();
    });
  const subscribeAll = async (c) => {
    for (const vm of guests) c.ws.send(JSON.stringify({ type: 'subscribe', vm }));
    await waitFor(c, 'subscribed replies', () => c.subscribed === guests.length);
    await waitFor(c, 'a stats sample', () => c.stats > 0);
  };
  try {
    clients.push(await openClient());
    await subscribeAll(clients[0]);
    mem.one = await hold(() => statusKiB(serve.pid), HOLD_S);
    while (clients.length < CLIENTS) clients.push(await openClient());
    await Promise.all(clients.slice(1).map(subscribeAll));
    mem.five = await hold(() => statusKiB(serve.pid), HOLD_S);
    // The delay: the bench's own libvirt connection timestamps each event as libvirt sends it.
    const emitted = [];
    let onEmit = () => {};
    const sub = await lv.events.lifecycle();
    sub.on((e) => {
      if (e.dom.name !== eventVm) return;
      emitted.push({ event: e.event, t: performance.now() });
      onEmit();
    });
    const post = (path) =>
      fetch(`${serve.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${serve.token}` },
      }).then(async (r) => {
        if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
      });
    for (let k = 0; emitted.length < EVENTS; k++) {
      const want = k % 2 === 0 ? 'started' : 'stopped';
      const before = emitted.length;
      await post(`/api/vms/${eventVm}/${k % 2 === 0 ? 'start' : 'kill'}`);
      await new Promise((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`libvirt sent no ${want} event`)), EVENT_GUARD_MS);
        const check = () => {
          if (emitted.slice(before).some((e) => e.event === want)) {
            clearTimeout(guard);
            resolve();
          }
        };
        onEmit = check;
        check();
      });
      await Promise.all(
        clients.map((c) =>
          waitFor(c, `the ${want} event on a client`, () => c.lifecycle.length >= emitted.length),
        ),
      );
      await sleep(300);
    }
    sub.close?.();
    const delays = [];
    for (const c of clients)
      emitted.forEach((e, i) => {
        const got = c.lifecycle[i];
        if (!got || got.event !== e.event)
          throw new Error(`a client got ${got?.event} where libvirt sent ${e.event}`);
        delays.push(got.t - e.t);
      });
    mem.afterEvents = statusKiB(serve.pid);
    const kinds = [...new Set(emitted.map((e) => e.event))].join(', ');
    return { mem, delay: stat(delays), emitted: emitted.length, kinds, stats: clients.map((c) => c.stats) };
  } finally {
    for (const c of clients) c.ws.close();
  }
}

async function cockpitPart(guests) {
  const installedNow = cockpit.ensureCockpitPackages();
  const versions = spawnSync(
    'dpkg-query',
    ['-W', '-f=${Package} ${Version}\\n', ...cockpit.COCKPIT_PACKAGES],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();
  const stack = await cockpit.startCockpitStack();
  cleanups.push(() => stack.stop());
  const total = () => stack.memory().totalKiB;
  await sleep(3000);
  const out = { installedNow, versions, notes: stack.notes, idle: stack.memory() };
  const t0 = performance.now();
  const first = await stack.session({ statsOf: guests });
  out.loadMs = performance.now() - t0;
  out.vms = first.vms;
  out.callsPerSession = first.calls();
  const h1 = await hold(total, HOLD_S);
  out.one = { ...stack.memory(), max: h1.max };
  for (let i = 1; i < CLIENTS; i++) await stack.session({ statsOf: guests });
  const h5 = await hold(total, HOLD_S);
  out.five = { ...stack.memory(), max: h5.max };
  out.pollErrors = stack.sessions.flatMap((s) => s.pollErrors);
  // After the measurement: one more page whose calls all go out at once, as the browser sends them.
  const t1 = performance.now();
  const browser = await stack.session({ asBrowser: true });
  out.browser = {
    ms: performance.now() - t1,
    vms: browser.vms,
    calls: browser.calls(),
    refused: browser.refused,
  };
  await stack.stop();
  return out;
}

function print(r) {
  const { A, V, served, inProcess, statsCall, statsRunning, metadataCalls, domains, bytes, sockets } = r.list;
  console.log(
    `\n1. VM list: ${REQUESTS} requests on ${sockets} keep-alive connection(s) after ${WARMUP_REQUESTS} warm-up, ${SAMPLES} virsh samples after ${WARMUP_SAMPLES}; taking turns`,
  );
  console.log(
    table(
      ['what', 'n', 'p50 ms', 'p99 ms'],
      [
        [
          `GET /api/vms (${(bytes / 1024).toFixed(0)} KiB of JSON), client's wall time`,
          A.n,
          f1(A.p50),
          f1(A.p99),
        ],
        ['virsh list --all + virsh domstats (2 processes)', V.n, f1(V.p50), f1(V.p99)],
        [
          "  the same requests, the server's own log (responseTime)",
          served.n,
          f1(served.p50),
          f1(served.p99),
        ],
        [
          '  listVms() in one process, no HTTP (the full read the list starts from)',
          inProcess.n,
          f1(inProcess.p50),
          f1(inProcess.p99),
        ],
        [
          '    its all-domain stats call alone (one RPC; the daemon asks QEMU for the running ones)',
          statsCall.n,
          f1(statsCall.p50),
          f1(statsCall.p99),
        ],
        [
          `      the same call for the ${GUESTS} running VMs only`,
          statsRunning.n,
          f1(statsRunning.p50),
          f1(statsRunning.p99),
        ],
        [
          `    its ${domains} metadata calls alone (the OS of each VM), at once`,
          metadataCalls.n,
          f1(metadataCalls.p50),
          f1(metadataCalls.p99),
        ],
      ],
    ),
  );
  const r50 = V.p50 / A.p50;
  const r99 = V.p99 / A.p99;
  console.log(`virsh / API: ${r50.toFixed(1)}x at p50, ${r99.toFixed(1)}x at p99`);
  for (const [who, errs] of Object.entries(retried))
    if (errs.length)
      console.log(`${who}: ${errs.length} failed sample(s) taken again (${errs[0].split('\n')[0]})`);
  console.log(
    `target >= ${RATIO_TARGET}x faster: ${r50 >= RATIO_TARGET && r99 >= RATIO_TARGET ? 'met' : 'NOT met'} (p50 ${r50 >= RATIO_TARGET ? 'met' : 'not met'}, p99 ${r99 >= RATIO_TARGET ? 'met' : 'not met'})`,
  );

  const e = r.events;
  console.log('\n2. Events');
  if (e.skipped) console.log(`not measured: ${e.skipped}`);
  else {
    console.log(
      `${e.emitted} lifecycle events (${e.kinds}) of one VM started and killed through the API, each seen by ${CLIENTS} clients; libvirt emit (the bench's own libvirt connection) -> client receive`,
    );
    console.log(
      `delay p50 ${f1(e.delay.p50)} ms, p99 ${f1(e.delay.p99)} ms over ${e.delay.n}; target p99 <= ${DELAY_TARGET_MS} ms: ${e.delay.p99 <= DELAY_TARGET_MS ? 'met' : 'NOT met'}`,
    );
    console.log(`stats messages per client over the run: ${e.stats.join(', ')}`);
  }

  const m = r.phyllo;
  const c = r.cockpit;
  console.log(`\n3. Resident memory (MiB, VmRSS; max = highest in ${HOLD_S} s sampled every 250 ms)`);
  const rows = [
    ['node -e (an idle Node process: the floor of any Node server)', f1(mib(m.nodeFloor)), ''],
    ['phyllo serve: idle after start', f1(mib(m.idle)), ''],
    [`phyllo serve: after ${WARMUP_REQUESTS + REQUESTS + 1} VM lists`, f1(mib(m.afterList)), ''],
  ];
  if (m.one) {
    rows.push([
      `phyllo serve: 1 events client, stats of ${GUESTS} VMs`,
      f1(mib(m.one.last)),
      f1(mib(m.one.max)),
    ]);
    rows.push([
      `phyllo serve: ${CLIENTS} events clients, stats of ${GUESTS} VMs each`,
      f1(mib(m.five.last)),
      f1(mib(m.five.max)),
    ]);
    rows.push([`phyllo serve: after the ${e.emitted} events`, f1(mib(m.afterEvents)), '']);
  }
  rows.push(['phyllo serve: peak of the whole run (VmHWM)', f1(mib(m.hwm)), '']);
  if (c.idle) {
    const parts = (x) =>
      `(ws ${f1(mib(x.ws))} + ${x.bridgeCount} bridge ${f1(mib(x.bridges))} + libvirt-dbus ${f1(mib(x.libvirtDbus))})`;
    rows.push([`cockpit: idle ${parts(c.idle)}`, f1(mib(c.idle.totalKiB)), '']);
    rows.push([`cockpit: 1 session ${parts(c.one)}`, f1(mib(c.one.totalKiB)), f1(mib(c.one.max))]);
    rows.push([
      `cockpit: ${CLIENTS} sessions ${parts(c.five)}`,
      f1(mib(c.five.totalKiB)),
      f1(mib(c.five.max)),
    ]);
  }
  console.log(table(['server', 'MiB', 'max'], rows));
  if (c.idle) {
    console.log(
      `cockpit ${c.versions.split('\n').join(', ')}${c.installedNow.length ? ` (installed by this run: ${c.installedNow.join(' ')})` : ''}; ${c.notes.join('; ')}`,
    );
    console.log(
      `a cockpit session: ${c.vms} VMs listed in ${f1(c.loadMs)} ms over ${c.callsPerSession} D-Bus calls, one channel each, as cockpit-machines 288 makes them, at most ${cockpit.MAX_IN_FLIGHT} in flight; not in the sum: ${f1(mib(c.five.othersKiB))} MiB of ${c.five.others.length} cockpit-session and per-session bus processes, ${f1(mib(c.five.busKiB))} MiB of the system bus`,
    );
    const b = c.browser;
    console.log(
      `the same page with every call at once, as the browser sends them (after the measurement): ${b.vms} VMs in ${f1(b.ms)} ms, ${b.refused.length} of ${b.calls} calls failed${b.refused.length ? ` (${[...new Set(b.refused)].slice(0, 2).join('; ')})` : ''}`,
    );
    if (c.pollErrors.length)
      console.log(`GetStats polls that failed: ${c.pollErrors.length} (${c.pollErrors[0]})`);
  } else console.log(`cockpit: not measured: ${c.skipped ?? c.failed}`);
  if (m.five && c.five) {
    const q = m.five.max / c.five.max;
    console.log(
      `phyllo serve / cockpit at ${CLIENTS} sessions (highest of each over the hold): ${q.toFixed(2)}; target <= ${MEMORY_TARGET}: ${q <= MEMORY_TARGET ? 'met' : 'NOT met'}`,
    );
  }
  console.log(`\nload average: ${r.load.join(' -> ')}`);
}
