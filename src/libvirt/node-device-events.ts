/**
 * Node-device lifecycle events (a host device appeared or went away: a USB stick plugged in, a
 * mediated device created). One daemon registration (CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, every
 * device) per connection, shared by all local subscribers, each with its own queue; `attach()`
 * re-registers after a reconnect. Kept apart from the domain events' hub: the messages name a device,
 * not a domain, and the register/deregister procedures are the node-device ones.
 */
import type { RpcClient } from './client.js';
import { EventSubscription } from './events.js';
import { Program, type Packet } from './packet.js';
import { EventProc, Proc } from './procedures.js';
import { xnodeDevice } from './types.js';
import { decodeWith, xint, xstruct } from './xdr.js';

/** virNodeDeviceEventID */
export const NodeDeviceEventId = { LIFECYCLE: 0, UPDATE: 1 } as const;

/** virNodeDeviceEventLifecycleType, in its order (DEFINED and UNDEFINED since libvirt 7.3). */
export const NODE_DEVICE_LIFECYCLE_EVENTS = ['created', 'deleted', 'defined', 'undefined'] as const;
export type NodeDeviceLifecycleName = (typeof NODE_DEVICE_LIFECYCLE_EVENTS)[number] | 'unknown';

export interface NodeDeviceLifecycleEvent {
  kind: 'node-device-lifecycle';
  /** The node device's name (`usb_1_5`, `mdev_…`). */
  device: string;
  event: NodeDeviceLifecycleName;
  /** The raw virNodeDeviceEventLifecycleType number. */
  eventCode: number;
  detail: number;
}

/** remote_node_device_event_lifecycle_msg */
export const xnodeDeviceLifecycleMsg = xstruct({
  callbackID: xint,
  dev: xnodeDevice,
  event: xint,
  detail: xint,
});

export class NodeDeviceEventHub {
  private client: RpcClient | undefined;
  private readonly subs = new Set<EventSubscription<NodeDeviceLifecycleEvent>>();
  private registered: Promise<number> | undefined;
  /** A deregistration on its way: a new registration waits for it (one callback per kind and connection). */
  private deregistering: Promise<unknown> = Promise.resolve();

  /** Use this connection; register again when there are subscribers. */
  async attach(client: RpcClient): Promise<void> {
    this.client = client;
    this.registered = undefined;
    client.onMessage(Program.REMOTE, EventProc.NodeDeviceEventLifecycle, (pkt) => this.onMessage(pkt));
    if (this.subs.size > 0) await this.ensureRegistered();
  }

  /** The connection is gone, and its registration with it. */
  detach(): void {
    this.client = undefined;
    this.registered = undefined;
  }

  async subscribe(): Promise<EventSubscription<NodeDeviceLifecycleEvent>> {
    const sub = new EventSubscription<NodeDeviceLifecycleEvent>('node-device-lifecycle', {}, (s) =>
      this.unsubscribe(s),
    );
    this.subs.add(sub);
    try {
      await this.ensureRegistered();
    } catch (err) {
      this.subs.delete(sub);
      throw err;
    }
    return sub;
  }

  private ensureRegistered(): Promise<number> {
    if (this.registered) return this.registered;
    const client = this.client;
    if (!client) return Promise.reject(new Error('not connected'));
    const p = this.deregistering.then(async () => {
      const r = await client.call(Proc.ConnectNodeDeviceEventRegisterAny, {
        eventID: NodeDeviceEventId.LIFECYCLE,
        dev: null,
      });
      return r.callbackID;
    });
    p.catch(() => {
      if (this.registered === p) this.registered = undefined;
    });
    this.registered = p;
    return p;
  }

  private unsubscribe(sub: EventSubscription<NodeDeviceLifecycleEvent>): void {
    this.subs.delete(sub);
    if (this.subs.size > 0 || !this.registered) return;
    const reg = this.registered;
    this.registered = undefined;
    const client = this.client;
    if (!client) return;
    this.deregistering = reg
      .then((callbackID) => {
        if (!client.isClosed) return client.call(Proc.ConnectNodeDeviceEventDeregisterAny, { callbackID });
      })
      .catch(() => undefined);
  }

  private onMessage(pkt: Packet): void {
    const m = decodeWith(xnodeDeviceLifecycleMsg, pkt.payload);
    const event: NodeDeviceLifecycleEvent = {
      kind: 'node-device-lifecycle',
      device: m.dev.name,
      event: NODE_DEVICE_LIFECYCLE_EVENTS[m.event] ?? 'unknown',
      eventCode: m.event,
      detail: m.detail,
    };
    for (const s of this.subs) s.deliver(event);
  }

  closeAll(): void {
    for (const s of [...this.subs]) s.close();
  }
}
