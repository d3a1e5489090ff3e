/**
 * Domain events as typed discriminated unions. One daemon registration
 * (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY) per event kind and connection, shared by all
 * local subscribers; each subscriber has its own unbounded queue so a slow consumer never
 * blocks the socket reader. The hub survives reconnects: `attach()` re-registers.
 */
import type { RpcClient } from './client.js';
import type { Packet } from './packet.js';
import { EventProc, Proc } from './procedures.js';
import { type DomainRef, xdomain, xname, xostring } from './types.js';
import { type Codec, decodeWith, xint, xstruct } from './xdr.js';
import { Program } from './packet.js';

export const LIFECYCLE_EVENTS = [
  'defined',
  'undefined',
  'started',
  'suspended',
  'resumed',
  'stopped',
  'shutdown',
  'pmsuspended',
  'crashed',
] as const;
export type LifecycleEventName = (typeof LIFECYCLE_EVENTS)[number] | 'unknown';

export interface LifecycleEvent {
  kind: 'lifecycle';
  dom: DomainRef;
  event: LifecycleEventName;
  /** The raw virDomainEventType number. */
  eventCode: number;
  /** virDomainEvent*DetailType; its meaning depends on `event`. */
  detail: number;
}
export interface RebootEvent {
  kind: 'reboot';
  dom: DomainRef;
}
export interface DeviceRemovedEvent {
  kind: 'device-removed';
  dom: DomainRef;
  devAlias: string;
}
export interface DeviceAddedEvent {
  kind: 'device-added';
  dom: DomainRef;
  devAlias: string;
}
/** A removable drive's tray opened or closed (the guest ejected it, or media is being changed). */
export interface TrayChangeEvent {
  kind: 'tray-change';
  dom: DomainRef;
  devAlias: string;
  /** VIR_DOMAIN_EVENT_TRAY_CHANGE_*: 0 opened, 1 closed. */
  reason: number;
}
/** A disk's source changed without being asked (a missing source dropped at start, startupPolicy). */
export interface DiskChangeEvent {
  kind: 'disk-change';
  dom: DomainRef;
  oldSrcPath: string | null;
  newSrcPath: string | null;
  devAlias: string;
  /** VIR_DOMAIN_EVENT_DISK_*: 0 the source was missing at start, 1 a missing source was dropped. */
  reason: number;
}
export type DomainEvent =
  LifecycleEvent | RebootEvent | DeviceRemovedEvent | DeviceAddedEvent | TrayChangeEvent | DiskChangeEvent;
export type DomainEventKind = DomainEvent['kind'];
export type EventOf<K extends DomainEventKind> = Extract<DomainEvent, { kind: K }>;

interface KindSpec {
  /** VIR_DOMAIN_EVENT_ID_* */
  eventId: number;
  proc: number;
  decode: (payload: Buffer) => { callbackID: number; event: DomainEvent };
}

function spec<T>(
  eventId: number,
  proc: number,
  codec: Codec<T & { callbackID: number }>,
  make: (m: T) => DomainEvent,
): KindSpec {
  return {
    eventId,
    proc,
    decode(payload) {
      const m = decodeWith(codec, payload);
      return { callbackID: m.callbackID, event: make(m) };
    },
  };
}

export const DomainEventId = {
  LIFECYCLE: 0,
  REBOOT: 1,
  DISK_CHANGE: 9,
  TRAY_CHANGE: 10,
  DEVICE_REMOVED: 15,
  DEVICE_ADDED: 19,
} as const;

const KINDS: Record<DomainEventKind, KindSpec> = {
  lifecycle: spec(
    DomainEventId.LIFECYCLE,
    EventProc.DomainEventCallbackLifecycle,
    xstruct({ callbackID: xint, dom: xdomain, event: xint, detail: xint }),
    (m) => ({
      kind: 'lifecycle',
      dom: m.dom,
      event: LIFECYCLE_EVENTS[m.event] ?? 'unknown',
      eventCode: m.event,
      detail: m.detail,
    }),
  ),
  reboot: spec(
    DomainEventId.REBOOT,
    EventProc.DomainEventCallbackReboot,
    xstruct({ callbackID: xint, dom: xdomain }),
    (m) => ({ kind: 'reboot', dom: m.dom }),
  ),
  'device-removed': spec(
    DomainEventId.DEVICE_REMOVED,
    EventProc.DomainEventCallbackDeviceRemoved,
    xstruct({ callbackID: xint, dom: xdomain, devAlias: xname }),
    (m) => ({ kind: 'device-removed', dom: m.dom, devAlias: m.devAlias }),
  ),
  'tray-change': spec(
    DomainEventId.TRAY_CHANGE,
    EventProc.DomainEventCallbackTrayChange,
    xstruct({ callbackID: xint, dom: xdomain, devAlias: xname, reason: xint }),
    (m) => ({ kind: 'tray-change', dom: m.dom, devAlias: m.devAlias, reason: m.reason }),
  ),
  'disk-change': spec(
    DomainEventId.DISK_CHANGE,
    EventProc.DomainEventCallbackDiskChange,
    xstruct({
      callbackID: xint,
      dom: xdomain,
      oldSrcPath: xostring,
      newSrcPath: xostring,
      devAlias: xname,
      reason: xint,
    }),
    (m) => ({
      kind: 'disk-change',
      dom: m.dom,
      oldSrcPath: m.oldSrcPath,
      newSrcPath: m.newSrcPath,
      devAlias: m.devAlias,
      reason: m.reason,
    }),
  ),
  'device-added': spec(
    DomainEventId.DEVICE_ADDED,
    EventProc.DomainEventCallbackDeviceAdded,
    xstruct({ callbackID: xint, dom: xdomain, devAlias: xname }),
    (m) => ({ kind: 'device-added', dom: m.dom, devAlias: m.devAlias }),
  ),
};

export interface SubscribeOptions {
  /** Only events of the domain with this name. */
  domain?: string;
}

/** One subscriber: listeners and/or an async iterator over an unbounded queue. */
export class EventSubscription<E extends { kind: string }> implements AsyncIterable<E> {
  private readonly queue: E[] = [];
  private waiters: ((r: IteratorResult<E>) => void)[] = [];
  private readonly listeners = new Set<(e: E) => void>();
  private closed = false;

  constructor(
    readonly kind: E['kind'],
    private readonly filter: SubscribeOptions,
    private readonly onClose: (sub: EventSubscription<E>) => void,
  ) {}

  /** Called by the hub; never blocks. */
  deliver(e: E): void {
    if (this.closed) return;
    // Only domain events have a domain to filter by (node-device events carry a device name).
    const dom = (e as { dom?: DomainRef }).dom;
    if (this.filter.domain !== undefined && dom?.name !== this.filter.domain) return;
    for (const l of this.listeners) l(e);
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: e, done: false });
    else this.queue.push(e);
  }

  /** Listeners see every event; when a listener is present the iterator still queues too. */
  on(listener: (e: E) => void): this {
    this.listeners.add(listener);
    return this;
  }

  off(listener: (e: E) => void): this {
    this.listeners.delete(listener);
    return this;
  }

  /** Events waiting for the iterator. */
  get queued(): number {
    return this.queue.length;
  }

  /** The next event (or undefined once closed). */
  async next(): Promise<E | undefined> {
    const r = await this.nextResult();
    return r.done ? undefined : r.value;
  }

  private nextResult(): Promise<IteratorResult<E>> {
    const e = this.queue.shift();
    if (e !== undefined) return Promise.resolve({ value: e, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    return {
      next: () => this.nextResult(),
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters) w({ value: undefined, done: true });
    this.waiters = [];
    this.onClose(this);
  }
}

export class EventHub {
  private client: RpcClient | undefined;
  private readonly subs = new Map<DomainEventKind, Set<EventSubscription<DomainEvent>>>();
  /** kind → callbackID on the current connection. */
  private readonly registered = new Map<DomainEventKind, Promise<number>>();
  /**
   * Deregistrations still on their way, per kind: libvirt refuses a second callback of one kind on a
   * connection ("event callback already tracked"), so a new registration waits for the old one to go.
   */
  private readonly deregistering = new Map<DomainEventKind, Promise<unknown>>();
  private readonly byCallback = new Map<number, DomainEventKind>();

  /** Use this connection; re-register every kind that has subscribers. */
  async attach(client: RpcClient): Promise<void> {
    this.client = client;
    this.registered.clear();
    this.byCallback.clear();
    for (const [kind, s] of Object.entries(KINDS) as [DomainEventKind, KindSpec][]) {
      client.onMessage(Program.REMOTE, s.proc, (pkt) => this.onMessage(kind, pkt));
    }
    await Promise.all(
      [...this.subs.entries()].filter(([, set]) => set.size > 0).map(([kind]) => this.ensureRegistered(kind)),
    );
  }

  /** The connection is gone; registrations died with it. */
  detach(): void {
    this.client = undefined;
    this.registered.clear();
    this.byCallback.clear();
  }

  async subscribe<K extends DomainEventKind>(
    kind: K,
    filter: SubscribeOptions = {},
  ): Promise<EventSubscription<EventOf<K>>> {
    const sub = new EventSubscription<EventOf<K>>(kind as EventOf<K>['kind'], filter, (s) =>
      this.unsubscribe(s as unknown as EventSubscription<DomainEvent>),
    );
    let set = this.subs.get(kind);
    if (!set) this.subs.set(kind, (set = new Set()));
    set.add(sub as unknown as EventSubscription<DomainEvent>);
    try {
      await this.ensureRegistered(kind);
    } catch (err) {
      set.delete(sub as unknown as EventSubscription<DomainEvent>);
      throw err;
    }
    return sub;
  }

  private ensureRegistered(kind: DomainEventKind): Promise<number> {
    const existing = this.registered.get(kind);
    if (existing) return existing;
    const client = this.client;
    if (!client) return Promise.reject(new Error('not connected'));
    const p = (this.deregistering.get(kind) ?? Promise.resolve())
      .then(() =>
        client.call(Proc.ConnectDomainEventCallbackRegisterAny, { eventID: KINDS[kind].eventId, dom: null }),
      )
      .then(({ callbackID }) => {
        this.byCallback.set(callbackID, kind);
        return callbackID;
      });
    p.catch(() => this.registered.delete(kind));
    this.registered.set(kind, p);
    return p;
  }

  private unsubscribe(sub: EventSubscription<DomainEvent>): void {
    const set = this.subs.get(sub.kind);
    set?.delete(sub);
    if (set && set.size === 0) {
      const reg = this.registered.get(sub.kind);
      this.registered.delete(sub.kind);
      const client = this.client;
      if (reg && client) {
        const gone = reg
          .then((callbackID) => {
            this.byCallback.delete(callbackID);
            if (!client.isClosed)
              return client.call(Proc.ConnectDomainEventCallbackDeregisterAny, { callbackID });
          })
          .catch(() => undefined);
        this.deregistering.set(sub.kind, gone);
        void gone.then(() => {
          if (this.deregistering.get(sub.kind) === gone) this.deregistering.delete(sub.kind);
        });
      }
    }
  }

  private onMessage(kind: DomainEventKind, pkt: Packet): void {
    const { callbackID, event } = KINDS[kind].decode(pkt.payload);
    const known = this.byCallback.get(callbackID);
    // A message for a callback we have not seen the reply for yet still belongs to `kind`.
    if (known !== undefined && known !== kind) return;
    for (const s of this.subs.get(kind) ?? []) s.deliver(event);
  }

  /** Close every subscription (their iterators finish). */
  closeAll(): void {
    for (const set of this.subs.values()) for (const s of [...set]) s.close();
  }
}
