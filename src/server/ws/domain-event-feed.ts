/**
 * libvirt's domain events of each host, passed on as they arrive: one subscription per event kind
 * and host (the libvirt client shares one daemon registration per kind and re-registers it after a
 * redial), each read by its own loop, so an event is handed on within the tick it was decoded in.
 * One feed per server is shared by /api/events and the VM list (src/server/vm-list-cache.ts): each
 * adds its listener.
 */
import type { DomainEvent, DomainEventKind, EventSubscription, Libvirt } from '../../libvirt/index.js';

/** The kinds /api/events forwards. */
export const FORWARDED_KINDS: readonly DomainEventKind[] = [
  'lifecycle',
  'reboot',
  'device-added',
  'device-removed',
  'tray-change',
  'disk-change',
];

export class DomainEventFeed {
  private readonly subs = new Map<string, Map<DomainEventKind, EventSubscription<DomainEvent>>>();
  private readonly listeners = new Set<(host: string, e: DomainEvent) => void>();
  private closed = false;

  constructor(onEvent?: (host: string, e: DomainEvent) => void) {
    if (onEvent) this.listeners.add(onEvent);
  }

  /** Adds a listener of every event; returns its removal. */
  listen(fn: (host: string, e: DomainEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Subscribes to every forwarded kind on `lv` (once per host; kinds that failed before, e.g. while
   * the daemon was away, are tried again). Resolves when the daemon has registered them.
   */
  async watch(host: string, lv: Libvirt): Promise<void> {
    let mine = this.subs.get(host);
    if (!mine) this.subs.set(host, (mine = new Map()));
    const have = mine;
    await Promise.all(
      FORWARDED_KINDS.filter((k) => !have.has(k)).map(async (kind) => {
        const sub = (await lv.events.subscribe(kind)) as EventSubscription<DomainEvent>;
        if (this.closed || have.has(kind)) return sub.close();
        have.set(kind, sub);
        void this.read(host, sub);
      }),
    );
  }

  close(): void {
    this.closed = true;
    for (const mine of this.subs.values()) for (const sub of mine.values()) sub.close();
    this.subs.clear();
  }

  private async read(host: string, sub: EventSubscription<DomainEvent>): Promise<void> {
    for await (const e of sub)
      for (const fn of this.listeners)
        try {
          fn(host, e);
        } catch {
          // a bug in one listener or message must not end the feed
        }
  }
}
