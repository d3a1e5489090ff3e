import { connect, parseUri, ReconnectingClient, type Libvirt } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';

export class HostNotFoundError extends PhyllomeError {
  override name = 'HostNotFoundError';
  constructor(id: string, known: string[]) {
    super('host-not-found', `No host "${id}" is connected to this server.`, {
      hint: `Connected hosts: ${known.join(', ')} (GET /api/hosts).`,
    });
  }
}

export class HostUnavailableError extends PhyllomeError {
  override name = 'HostUnavailableError';
  constructor(id: string, uri: string, cause?: unknown) {
    super(
      'host-unavailable',
      `The libvirt daemon of host "${id}" (${uri}) is not reachable right now; reconnecting.`,
      {
        hint: 'Try again in a moment; GET /api/hosts shows when it is back.',
        cause,
      },
    );
  }
}

export interface HostSummary {
  id: string;
  uri: string;
  connected: boolean;
}

/** A host's connection came up (first dial or a redial) or went down. */
export interface HostChange extends HostSummary {
  /** The connection, once there is one (the same object across redials). */
  lv: Libvirt;
  /** Why it went down, when it did. */
  error?: unknown;
}

/** A short, stable id for a URI: `local` for this machine's daemon, else the remote host's name. */
export function hostIdOf(uri: string): string {
  const p = parseUri(uri);
  const base = p.host ? p.host : 'local';
  return p.path === '/session' ? `${base}-session` : base;
}

interface Entry {
  id: string;
  uri: string;
  lv: Libvirt | undefined;
  dialing: Promise<void> | undefined;
  lastError: unknown;
}

/**
 * The libvirt hosts one server speaks for, each through its own connection that redials with backoff
 * when its daemon goes away (`connect(…, { reconnect })`). A host that was never reached is dialled
 * again on each request (at most one dial at a time); meanwhile its requests get a 503.
 */
export class Hosts {
  private readonly entries: Entry[];
  private readonly listeners = new Set<(change: HostChange) => void>();
  constructor(
    uris: string[],
    private readonly dial: (uri: string) => Promise<Libvirt> = (uri) => connect(uri, { reconnect: true }),
  ) {
    const seen = new Map<string, number>();
    this.entries = uris.map((uri) => {
      let id = hostIdOf(uri);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) id = `${id}-${n}`;
      return { id, uri, lv: undefined, dialing: undefined, lastError: undefined };
    });
  }

  /** Dials every host once; the ones that fail are retried on demand. */
  async start(): Promise<void> {
    await Promise.all(this.entries.map((e) => this.ensure(e).catch(() => undefined)));
  }

  list(): HostSummary[] {
    return this.entries.map((e) => ({ id: e.id, uri: e.uri, connected: this.isUp(e) }));
  }

  ids(): string[] {
    return this.entries.map((e) => e.id);
  }

  /** The host `id` (default: the first), connected; a typed 404 or 503 otherwise. */
  async get(id?: string): Promise<{ id: string; uri: string; lv: Libvirt }> {
    const e = id === undefined ? this.entries[0] : this.entries.find((x) => x.id === id);
    if (!e) throw new HostNotFoundError(id ?? '', this.ids());
    await this.ensure(e);
    if (!e.lv || !this.isUp(e)) throw new HostUnavailableError(e.id, e.uri, e.lastError);
    return { id: e.id, uri: e.uri, lv: e.lv };
  }

  /** The connected hosts' connections (for event subscriptions and metrics). */
  connected(): { id: string; uri: string; lv: Libvirt }[] {
    return this.entries.filter((e) => e.lv).map((e) => ({ id: e.id, uri: e.uri, lv: e.lv! }));
  }

  /**
   * Calls `fn` each time a host's connection comes up (its first dial, each redial after its daemon
   * came back) or goes down; returns the unsubscribe.
   */
  onChange(fn: (change: HostChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.lv?.close().catch(() => undefined)));
  }

  private isUp(e: Entry): boolean {
    return e.lv !== undefined && e.lv.connected;
  }

  private async ensure(e: Entry): Promise<void> {
    if (e.lv) return;
    e.dialing ??= this.dial(e.uri).then(
      (lv) => {
        e.lv = lv;
        e.dialing = undefined;
        this.watch(e, lv);
        this.emit({ id: e.id, uri: e.uri, connected: true, lv });
      },
      (err: unknown) => {
        e.lastError = err;
        e.dialing = undefined;
        throw new HostUnavailableError(e.id, e.uri, err);
      },
    );
    await e.dialing;
  }

  private watch(e: Entry, lv: Libvirt): void {
    if (!(lv.rpc instanceof ReconnectingClient)) return;
    lv.rpc.on('disconnected', (error: unknown) => {
      e.lastError = error;
      this.emit({ id: e.id, uri: e.uri, connected: false, lv, error });
    });
    lv.rpc.on('reconnected', () => this.emit({ id: e.id, uri: e.uri, connected: true, lv }));
  }

  private emit(change: HostChange): void {
    for (const fn of this.listeners) fn(change);
  }
}
