import { get } from '../api/client';
import type { HostSummary, Job, ServerEvent, VmListEntry } from '../api/types';
import { stateAfterEvent } from './reducer';
import type { Store } from './store';

/** What Live needs from the world: replaced in tests. */
export interface LiveDeps {
  openSocket: (url: string) => WebSocket;
  listVms: (host: string) => Promise<VmListEntry[]>;
  listJobs: () => Promise<Job[]>;
  listHosts: () => Promise<HostSummary[]>;
  /** The first host's VMs as index.html's preload asked for them (`/api/vms`, no `host`). */
  listPreloaded: () => Promise<VmListEntry[]>;
  eventsUrl: () => string;
  now: () => number;
}

const defaultDeps: LiveDeps = {
  openSocket: (url) => new WebSocket(url),
  listVms: (host) => get<VmListEntry[]>('/api/vms', { host }),
  listJobs: () => get<Job[]>('/api/jobs'),
  listHosts: () => get<HostSummary[]>('/api/hosts'),
  // The same request as the page's <link rel="preload">, so the browser answers it from that.
  listPreloaded: () => get<VmListEntry[]>('/api/vms'),
  eventsUrl: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`,
  now: () => Date.now(),
};

const errorOf = (err: unknown) =>
  err && typeof err === 'object' && 'code' in err && 'message' in err
    ? {
        code: String(err.code),
        message: String(err.message),
        ...('hint' in err && err.hint ? { hint: String(err.hint) } : {}),
      }
    : { code: 'internal', message: String(err) };

/**
 * The live feed: one WebSocket to /api/events feeding the store. Events are hints: a lifecycle event
 * patches the state it tells for sure at once (started → running…) and re-reads that host's list; a
 * job's progress updates the job; `resync` or a reconnect re-reads everything. Stats subscriptions are
 * counted per VM and sent again after a reconnect.
 */
export class Live {
  private ws: WebSocket | undefined;
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Per host: a list read in flight, and whether another must follow it. */
  private readonly reading = new Map<string, { again: boolean }>();
  private readonly subs = new Map<string, number>();
  /** The host whose next list read is the page's preloaded request. */
  private preloadedHost: string | undefined;
  private readonly deps: LiveDeps;

  constructor(
    private readonly store: Store,
    deps: Partial<LiveDeps> = {},
  ) {
    this.deps = { ...defaultDeps, ...deps };
  }

  /**
   * Opens the feed and reads the lists. `hosts`, when the caller has just read them (the login check),
   * are taken as they are, so the VM lists are asked for at once.
   */
  start(hosts?: HostSummary[], opts: { preloaded?: boolean } = {}): void {
    this.stopped = false;
    this.connect();
    // The first lists are read at once, not after the socket's hello: the page shows them one round
    // trip sooner. hello reads them again, so nothing that happened in between is missed.
    if (hosts) {
      // The page's HTML asked for the first host's list (the server's default host) while the
      // script loaded: only when the session was already there then (its answer is this session's).
      this.preloadedHost = opts.preloaded ? hosts[0]?.id : undefined;
      this.store.dispatch({ type: 'hosts', hosts });
      void this.reloadLists();
    } else void this.reloadAll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = undefined;
  }

  /** Re-reads a host's VM list; calls while one is in flight make one more read after it, not many. */
  refresh(host: string): Promise<void> {
    const r = this.reading.get(host);
    if (r) {
      r.again = true;
      return Promise.resolve();
    }
    const state = { again: false };
    this.reading.set(host, state);
    const run = async (): Promise<void> => {
      try {
        const preloaded = this.preloadedHost === host;
        this.preloadedHost = undefined;
        const list = await (preloaded ? this.deps.listPreloaded() : this.deps.listVms(host));
        this.store.dispatch({ type: 'vms-loaded', host, list, at: this.deps.now() });
      } catch (err) {
        this.store.dispatch({ type: 'vms-failed', host, error: errorOf(err) });
      }
      if (state.again) {
        state.again = false;
        return run();
      }
      this.reading.delete(host);
    };
    return run();
  }

  /** Reads hosts, every host's VMs and the jobs again. */
  async reloadAll(): Promise<void> {
    try {
      this.store.dispatch({ type: 'hosts', hosts: await this.deps.listHosts() });
    } catch {
      /* the socket's hello brings them too */
    }
    await this.reloadLists();
  }

  /** Reads every known host's VMs and the jobs again (after hello, which brought the hosts). */
  async reloadLists(): Promise<void> {
    await Promise.all([
      ...this.store.get().hosts.map((h) => this.refresh(h.id)),
      this.deps
        .listJobs()
        .then((jobs) => this.store.dispatch({ type: 'jobs-loaded', jobs }))
        .catch(() => undefined),
    ]);
  }

  /** Stats of one VM each second while the returned function is not called. */
  subscribe(host: string, vm: string): () => void {
    const k = `${host}\n${vm}`;
    const n = this.subs.get(k) ?? 0;
    this.subs.set(k, n + 1);
    if (n === 0) this.send({ type: 'subscribe', host, vm });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.subs.get(k) ?? 1) - 1;
      if (left > 0) this.subs.set(k, left);
      else {
        this.subs.delete(k);
        this.send({ type: 'unsubscribe', host, vm });
      }
    };
  }

  private send(msg: object): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    this.store.dispatch({ type: 'connection', status: 'connecting' });
    const ws = this.deps.openSocket(this.deps.eventsUrl());
    this.ws = ws;
    ws.onmessage = (m) => {
      try {
        this.onEvent(JSON.parse(String(m.data)) as ServerEvent);
      } catch {
        /* a message we cannot read: ignore it */
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.store.dispatch({ type: 'connection', status: 'closed' });
      if (this.stopped) return;
      // 0.5 s, 1 s, 2 s … at most 10 s between attempts.
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  /** One message of /api/events (public for tests). */
  onEvent(e: ServerEvent): void {
    switch (e.type) {
      case 'hello':
        this.retry = 0;
        this.store.dispatch({ type: 'connection', status: 'open' });
        this.store.dispatch({ type: 'hosts', hosts: e.hosts });
        for (const k of this.subs.keys()) {
          const [host, vm] = k.split('\n') as [string, string];
          this.send({ type: 'subscribe', host, vm });
        }
        void this.reloadLists();
        return;
      case 'lifecycle': {
        if (e.event === 'undefined') this.store.dispatch({ type: 'vm-removed', host: e.host, vm: e.vm });
        const s = stateAfterEvent(e.event);
        if (s) this.store.dispatch({ type: 'vm-state', host: e.host, vm: e.vm, state: s });
        void this.refresh(e.host);
        return;
      }
      case 'device-added':
      case 'device-removed':
      case 'tray-change':
      case 'disk-change':
      case 'reboot':
        void this.refresh(e.host);
        return;
      case 'job-progress':
        this.store.dispatch({ type: 'job', job: e.job });
        return;
      case 'job-end':
        this.store.dispatch({ type: 'job', job: e.job });
        void this.refresh(e.job.host);
        return;
      case 'host':
        this.store.dispatch({ type: 'host-changed', host: e.host, connected: e.connected });
        if (e.connected) void this.refresh(e.host);
        return;
      case 'subscribed':
        this.store.dispatch({ type: 'stats-history', host: e.host, vm: e.vm, history: e.history });
        return;
      case 'stats':
        this.store.dispatch({ type: 'stats-sample', host: e.host, vm: e.vm, sample: e.sample });
        return;
      case 'resync':
        void this.reloadAll();
        return;
      default:
        return;
    }
  }
}
