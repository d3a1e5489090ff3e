// The peer of `phyllo serve` for memory: the cockpit stack serving cockpit-machines (cockpit-ws, one
// cockpit-bridge per browser session, libvirt-dbus), brought up here by the benchmark only and taken
// down again: Debian's packages installed when missing, a system D-Bus started when none runs, a
// local user with a password to log in as, cockpit-ws on loopback without TLS. A session is logged in
// as a browser does it (HTTP basic auth on /cockpit/login, then the /cockpit/socket WebSocket) and
// then makes the calls cockpit-machines 288 (Debian 12's) makes to show its VM list, in the same way:
// cockpit.js opens a new dbus-json3 channel for every `cockpit.dbus("org.libvirt", …)` and
// cockpit-machines' dbusClient() asks for a new one on each call (src/libvirtApi/helpers.js), so every
// call below is its own channel, never closed.
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { descendants, processes, statusKiB } from './proc.mjs';

// cockpit-system is the shell (login page, navigation) a browser loads cockpit-machines in.
export const COCKPIT_PACKAGES = [
  'cockpit-ws',
  'cockpit-bridge',
  'cockpit-system',
  'cockpit-machines',
  'libvirt-dbus',
];
const SYSTEM_BUS = '/run/dbus/system_bus_socket';
const COCKPIT_WS = '/usr/lib/cockpit/cockpit-ws';
const LIBVIRT_DBUS = '/usr/sbin/libvirt-dbus';
/** cockpit-machines' own constants (src/helpers.js Enum, src/config.js). */
const VIR_DOMAIN_XML_SECURE = 1;
const VIR_DOMAIN_XML_INACTIVE = 2;
const USAGE_STATS = 1 | 4 | 8 | 32; // STATE | BALLOON | VCPU | BLOCK, as doUsagePolling asks
export const COCKPIT_REFRESH_MS = 10_000; // VMS_CONFIG.DefaultRefreshInterval
const CALL_TIMEOUT_MS = 30_000; // libvirtApi/helpers.js `timeout`

const installed = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout.includes(
    'install ok installed',
  );

/** Installs the missing packages with apt-get; returns the names it installed. */
export function ensureCockpitPackages() {
  const missing = COCKPIT_PACKAGES.filter((p) => !installed(p));
  if (!missing.length) return [];
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  let r = apt(['install', '-y', '--no-install-recommends', ...missing]);
  if (r.status !== 0) {
    apt(['update', '-qq']);
    r = apt(['install', '-y', '--no-install-recommends', ...missing]);
  }
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed: ${r.stderr.slice(-600)}`);
  return missing;
}

const canConnect = (path) =>
  new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, limitMs = 30_000) {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`cockpit peer: never saw ${what}`);
    await sleep(50);
  }
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/**
 * Brings the stack up. Everything it starts is a child of this process, so that stop() can end it by
 * pid; stop() is safe to call after a failure half-way.
 */
export async function startCockpitStack() {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-bench-cockpit-'));
  const children = [];
  const notes = [];
  const state = { dir, children, notes, user: undefined, password: undefined, ownBus: false };
  const spawnKept = (cmd, args, opts = {}) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    child.stderrText = '';
    child.stderr?.on('data', (d) => (child.stderrText = (child.stderrText + d).slice(-4000)));
    child.exited = new Promise((r) => child.once('exit', r));
    children.push(child);
    return child;
  };
  const stack = {
    notes,
    url: undefined,
    /** Pids of the processes whose memory is the stack's: cockpit-ws, the bridges, libvirt-dbus. */
    pids: () => {
      const all = processes();
      const ws = state.ws?.pid;
      const bridges = ws ? descendants(ws, all).filter((p) => p.comm === 'cockpit-bridge') : [];
      const others = ws
        ? descendants(ws, all).filter((p) => p.comm !== 'cockpit-bridge' && p.comm !== undefined)
        : [];
      return { ws, bridges: bridges.map((p) => p.pid), libvirtDbus: state.libvirtDbus?.pid, others };
    },
    /** Resident memory in KiB: the sum the issue compares, and the parts (and what is left out). */
    memory() {
      const p = stack.pids();
      const rss = (pid) => statusKiB(pid) ?? 0;
      const ws = rss(p.ws);
      const bridges = p.bridges.reduce((s, pid) => s + rss(pid), 0);
      const libvirtDbus = rss(p.libvirtDbus);
      const othersKiB = p.others.reduce((s, o) => s + rss(o.pid), 0);
      const busKiB = state.ownBus ? rss(state.bus?.pid) : 0;
      return {
        totalKiB: ws + bridges + libvirtDbus,
        ws,
        bridges,
        bridgeCount: p.bridges.length,
        libvirtDbus,
        // Not in the sum: cockpit-session (one per login) and the session buses the bridges start.
        others: p.others.map((o) => o.comm),
        othersKiB,
        busKiB,
      };
    },
    session: (opts) => cockpitSession(stack.url, state.user, state.password, opts),
    /** The local user and password a browser logs in with (the web UI benchmark). */
    credentials: () => ({ user: state.user, password: state.password }),
    async stop() {
      for (const s of stack.sessions) s.close();
      // The logins' processes (cockpit-session, the bridges and their session buses) first, by pid.
      const all = processes();
      const uid = state.uid;
      const theirs = [
        ...(state.ws ? descendants(state.ws.pid, all) : []),
        ...(uid === undefined ? [] : all.filter((p) => p.uid === uid)),
      ];
      for (const p of new Set(theirs.map((p) => p.pid))) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          // gone already
        }
      }
      for (const c of [...children].reverse()) {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 5000);
        await c.exited;
        clearTimeout(t);
      }
      if (uid !== undefined) {
        await until(
          'the bench user’s processes end',
          () => !processes().some((p) => p.uid === uid),
          10_000,
        ).catch(() => {
          for (const p of processes().filter((p) => p.uid === uid)) {
            try {
              process.kill(p.pid, 'SIGKILL');
            } catch {
              // gone already
            }
          }
        });
      }
      if (state.ownBus) rmSync(SYSTEM_BUS, { force: true });
      if (state.user) {
        const r = spawnSync('userdel', ['-r', state.user], { encoding: 'utf8' });
        if (r.status !== 0 && !/not found|does not exist/.test(r.stderr))
          console.error(`could not remove the user ${state.user}: ${r.stderr}`);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    sessions: [],
  };
  try {
    for (const bin of [COCKPIT_WS, LIBVIRT_DBUS, '/usr/bin/cockpit-bridge'])
      if (!existsSync(bin))
        throw new Error(`${bin} is missing after installing ${COCKPIT_PACKAGES.join(' ')}`);
    // A system bus: this machine has no systemd as PID 1, so none may run. Ours lets root own
    // org.libvirt: libvirtd lets libvirt-dbus's own user (libvirtdbus) in only through polkit, which
    // needs a system bus and its daemon; as root it connects as any root client does.
    if (!(await canConnect(SYSTEM_BUS))) {
      if (existsSync(SYSTEM_BUS)) rmSync(SYSTEM_BUS); // left by a bus that died
      const conf = join(dir, 'system-bus.conf');
      writeFileSync(
        conf,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/system.conf</include>
  <policy user="root"><allow own="org.libvirt"/></policy>
</busconfig>
`,
      );
      state.bus = spawnKept('dbus-daemon', [`--config-file=${conf}`, '--nofork', '--nopidfile']);
      state.ownBus = true;
      await until('the system bus', () => canConnect(SYSTEM_BUS));
      notes.push('system D-Bus started by the bench (none ran: no systemd here)');
      state.libvirtDbus = spawnKept(LIBVIRT_DBUS, ['--system']);
      notes.push('libvirt-dbus runs as root (its own user would need polkit to reach libvirtd)');
    } else {
      // A real system bus: run libvirt-dbus as its package means it to, under its own user.
      state.libvirtDbus = spawnKept('runuser', ['-u', 'libvirtdbus', '--', LIBVIRT_DBUS, '--system']);
      notes.push('libvirt-dbus runs as libvirtdbus on the machine’s system bus');
    }
    await until('libvirt-dbus on the bus', () => {
      if (state.libvirtDbus.exitCode !== null)
        throw new Error(`libvirt-dbus exited: ${state.libvirtDbus.stderrText}`);
      return (
        spawnSync('dbus-send', [
          '--system',
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.libvirt',
        ]).stdout?.includes('boolean true') ?? false
      );
    });
    // A local user who may use the system libvirt (the libvirt group may send to org.libvirt), with a
    // password: what a person logging in to cockpit has. Not an administrator: no privileged bridge.
    state.user = `phyllo-bench-${randomBytes(3).toString('hex')}`;
    state.password = randomBytes(18).toString('base64url');
    run('useradd', ['-m', '-d', join(dir, 'home'), '-s', '/bin/sh', '-G', 'libvirt', state.user]);
    state.uid = Number(run('id', ['-u', state.user]).trim());
    run('chpasswd', [], `${state.user}:${state.password}\n`);
    const port = await freePort();
    state.ws = spawnKept(COCKPIT_WS, ['--no-tls', '--port', String(port), '--address', '127.0.0.1']);
    stack.url = `http://127.0.0.1:${port}`;
    await until('cockpit-ws listening', async () => {
      if (state.ws.exitCode !== null) throw new Error(`cockpit-ws exited: ${state.ws.stderrText}`);
      return fetch(`${stack.url}/cockpit/login`).then(
        () => true,
        () => false,
      );
    });
    const origSession = stack.session;
    stack.session = async (opts) => {
      const s = await origSession(opts);
      stack.sessions.push(s);
      return s;
    };
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/**
 * cockpit-machines sends every call of its page at once (hundreds with 200 VMs), through the bridge's
 * one connection to the system bus; dbus-daemon refuses a connection more than 128 pending replies
 * (its built-in max_replies_per_connection, which Debian's system.conf keeps) with LimitsExceeded.
 * A session here keeps at most this many in flight: the same calls and channels, spread in time.
 */
export const MAX_IN_FLIGHT = 100;

/**
 * One browser session on cockpit-machines' VM list: logs in, opens the socket, makes the page's calls
 * and waits for every reply. `statsOf` (domain names) then get cockpit-machines' usage polling
 * (GetStats every COCKPIT_REFRESH_MS, as its VM pages do) until close(). With `asBrowser`, every call
 * goes out at once as the page sends them, and calls that fail are counted instead of failing the
 * session (`refused`: the messages).
 */
async function cockpitSession(base, user, password, { statsOf = [], asBrowser = false } = {}) {
  const login = await fetch(`${base}/cockpit/login`, {
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  if (login.status !== 200) throw new Error(`cockpit login: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/cockpit/socket`, 'cockpit1', {
    headers: { Cookie: cookie, Origin: base },
  });
  const channels = new Map(); // id -> { resolve, reject } of its one call
  let seed = '';
  let next = 0;
  let calls = 0;
  let timer;
  const send = (channel, obj) => ws.send(`${channel}\n${JSON.stringify(obj)}`);
  const ready = new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('cockpit closed the socket')));
    ws.on('message', (data) => {
      const text = data.toString();
      const nl = text.indexOf('\n');
      const channel = text.slice(0, nl);
      const msg = JSON.parse(text.slice(nl + 1));
      if (channel === '') {
        if (msg.command === 'init') {
          if (msg.problem) return reject(new Error(`cockpit init: ${msg.problem}`));
          seed = String(msg['channel-seed'] ?? '');
          send('', { command: 'init', version: 1 });
          resolve();
        } else if (msg.command === 'ping') send('', { ...msg, command: 'pong' });
        else if (msg.command === 'close' && msg.channel && msg.problem)
          channels.get(msg.channel)?.reject(new Error(`${msg.problem}: ${msg.message ?? ''}`));
        return;
      }
      const c = channels.get(channel);
      if (!c) return;
      if (msg.reply) c.resolve(msg.reply[0]);
      else if (msg.error) c.reject(new Error(msg.error.join(': ')));
    });
  });
  await ready;
  // cockpit.dbus(name, options): a channel of its own; the call or match goes out on it.
  const open = (options) => {
    const id = `${seed}${++next}`;
    send('', { ...options, command: 'open', channel: id, 'flow-control': true });
    return id;
  };
  const libvirt = { payload: 'dbus-json3', bus: 'system', name: 'org.libvirt', superuser: 'try' };
  const limit = asBrowser ? Infinity : MAX_IN_FLIGHT;
  let inFlight = 0;
  const waiting = [];
  const slot = () =>
    inFlight < limit ? (inFlight++, Promise.resolve()) : new Promise((resolve) => waiting.push(resolve));
  const release = () => {
    const nextCall = waiting.shift();
    if (nextCall)
      nextCall(); // the slot passes on
    else inFlight--;
  };
  const refused = [];
  const tolerate = (p) =>
    asBrowser
      ? p.catch((e) => {
          refused.push(e.message);
        })
      : p;
  const call = async (...a) => {
    await slot();
    try {
      return await rawCall(...a);
    } finally {
      release();
    }
  };
  const rawCall = (path, iface, method, args, type, options = libvirt) =>
    new Promise((resolve, reject) => {
      const id = open(options);
      channels.set(id, { resolve, reject });
      calls++;
      send(id, {
        timeout: CALL_TIMEOUT_MS,
        ...(type ? { type } : {}),
        call: [path, iface, method, args],
        id: '1',
      });
    });
  const subscribe = (match) => send(open(libvirt), { 'add-match': match });
  const Q = '/org/libvirt/QEMU';

  // cockpit.user() (the internal bus), then app.jsx: getLibvirtVersion, then getApiData.
  await call('/user', 'org.freedesktop.DBus.Properties', 'GetAll', ['cockpit.User'], undefined, {
    payload: 'dbus-json3',
    bus: 'internal',
  });
  await call(Q, 'org.freedesktop.DBus.Properties', 'Get', ['org.libvirt.Connect', 'LibVersion'], 'ss');
  open(libvirt); // getApiData's own dbusClient(), unused
  subscribe({ interface: 'org.libvirt.Connect', member: 'DomainEvent' });
  subscribe({ interface: 'org.libvirt.Domain' });
  subscribe({ interface: 'org.libvirt.Connect', member: 'NetworkEvent' });
  subscribe({ interface: 'org.libvirt.Network' });
  subscribe({ interface: 'org.libvirt.Connect', member: 'StoragePoolEvent' });
  subscribe({ interface: 'org.libvirt.StoragePool' });
  const paths = new Map(); // domain name -> object path
  const domains = call(Q, 'org.libvirt.Connect', 'ListDomains', [0], 'u').then(([list]) =>
    Promise.all(list.map(async (path) => tolerate(domainGet(path)))),
  );
  async function domainGet(path) {
    const [xml] = await call(path, 'org.libvirt.Domain', 'GetXMLDesc', [VIR_DOMAIN_XML_SECURE], 'u');
    await call(
      path,
      'org.libvirt.Domain',
      'GetXMLDesc',
      [VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE],
      'u',
    );
    await call(path, 'org.libvirt.Domain', 'GetState', [0], 'u');
    const [props] = await call(
      path,
      'org.freedesktop.DBus.Properties',
      'GetAll',
      ['org.libvirt.Domain'],
      's',
    );
    paths.set(props.Name.v.v, path); // a{sv}: each value a variant of a variant, as it reads them
    const type = /<type\s+arch='([^']*)'\s+machine='([^']*)'/.exec(xml);
    await call(
      Q,
      'org.libvirt.Connect',
      'GetDomainCapabilities',
      ['', type?.[1] ?? '', type?.[2] ?? '', '', 0],
      'ssssu',
    );
  }
  // The other lists of getApiData (their per-object reads are not replayed), and the host's memory.
  await Promise.all(
    [
      domains,
      call(Q, 'org.libvirt.Connect', 'ListStoragePools', [0], 'u'),
      call(Q, 'org.libvirt.Connect', 'ListInterfaces', [0], 'u'),
      call(Q, 'org.libvirt.Connect', 'ListNetworks', [0], 'u'),
      call(Q, 'org.libvirt.Connect', 'ListNodeDevices', [0], 'u'),
      call(Q, 'org.libvirt.Connect', 'NodeGetMemoryStats', [-1, 0], 'iu'),
    ].map(tolerate),
  );
  const vms = paths.size;
  for (const name of statsOf) if (!paths.has(name)) throw new Error(`cockpit does not list ${name}`);
  const poll = () =>
    Promise.all(
      statsOf.map((name) => call(paths.get(name), 'org.libvirt.Domain', 'GetStats', [USAGE_STATS, 0], 'uu')),
    );
  const pollErrors = [];
  const again = () =>
    (timer = setTimeout(
      () =>
        poll().then(again, (e) => {
          pollErrors.push(e.message);
          again();
        }),
      COCKPIT_REFRESH_MS,
    ));
  if (statsOf.length) {
    await poll();
    again();
  }
  return {
    vms,
    refused,
    pollErrors,
    calls: () => calls,
    close() {
      clearTimeout(timer);
      ws.close();
    },
  };
}
