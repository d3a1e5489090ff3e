/**
 * The small high-level API: `connect()` returns a `Libvirt` with object handles (Domain,
 * StoragePool, StorageVolume, Network, NodeDevice) whose methods map one-to-one to libvirt calls.
 */
import { type DebugHook, type RpcCaller, RpcClient } from './client.js';
import { dialerFor } from './connect.js';
import type { Dialer } from './dialers/dialer.js';
import { Domain, Domains, DomainStatsRecord } from './domain.js';
import {
  EventHub,
  type DomainEventKind,
  type EventOf,
  type EventSubscription,
  type SubscribeOptions,
} from './events.js';
import { DOMAIN_STATES } from './flags.js';
import { NodeDeviceEventHub, type NodeDeviceLifecycleEvent } from './node-device-events.js';
import { Networks } from './network.js';
import { NodeDevices } from './node-device.js';
import { Proc } from './procedures.js';
import { type ReconnectOptions, ReconnectingClient } from './reconnecting.js';
import { StoragePools, StorageVolumes } from './storage.js';
import { defaultUri, parseUri } from './uri.js';

export * from './domain.js';
export * from './storage.js';
export * from './network.js';
export * from './node-device.js';

export interface ConnectOptions {
  readOnly?: boolean;
  /** Redial with backoff when the daemon goes away, re-registering event subscriptions. */
  reconnect?: boolean | Omit<ReconnectOptions, 'name' | 'readOnly'>;
  keepaliveInterval?: number;
  keepaliveCount?: number;
  debug?: DebugHook;
  /** Use this dialer instead of the one the URI implies (tests, custom transports). */
  dialer?: Dialer;
}

export interface Version {
  major: number;
  minor: number;
  release: number;
  /** major·10⁶ + minor·10³ + release */
  number: number;
}

export function versionFromNumber(n: bigint | number): Version {
  const v = Number(n);
  return {
    major: Math.floor(v / 1_000_000),
    minor: Math.floor(v / 1000) % 1000,
    release: v % 1000,
    number: v,
  };
}

export interface NodeInfo {
  model: string;
  memoryKiB: bigint;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

export interface DomainCapabilitiesQuery {
  virttype?: string;
  arch?: string;
  machine?: string;
  emulatorbin?: string;
  flags?: number;
}

/** One domain's record of virConnectGetAllDomainStats; `domain` and `values` are built on first use. */
export async function connect(uri: string = defaultUri(), opts: ConnectOptions = {}): Promise<Libvirt> {
  const parsed = parseUri(uri);
  const dialer = opts.dialer ?? dialerFor(parsed, { readOnly: opts.readOnly ?? false });
  const clientOpts = {
    name: parsed.name,
    readOnly: opts.readOnly ?? false,
    ...(opts.keepaliveInterval === undefined ? {} : { keepaliveInterval: opts.keepaliveInterval }),
    ...(opts.keepaliveCount === undefined ? {} : { keepaliveCount: opts.keepaliveCount }),
    ...(opts.debug === undefined ? {} : { debug: opts.debug }),
  };
  if (opts.reconnect) {
    const extra = typeof opts.reconnect === 'object' ? opts.reconnect : {};
    const rc = await ReconnectingClient.connect(dialer, { ...extra, ...clientOpts });
    return new Libvirt(uri, rc, rc.events, () => rc.close(), rc.nodeDeviceEvents);
  }
  const client = await RpcClient.connect(dialer, clientOpts);
  const hub = new EventHub();
  const nodeDeviceHub = new NodeDeviceEventHub();
  await hub.attach(client);
  await nodeDeviceHub.attach(client);
  return new Libvirt(
    uri,
    client,
    hub,
    async () => {
      hub.closeAll();
      nodeDeviceHub.closeAll();
      await client.close();
    },
    nodeDeviceHub,
  );
}

export class Libvirt {
  readonly domains: Domains;
  readonly pools: StoragePools;
  readonly volumes: StorageVolumes;
  readonly networks: Networks;
  readonly nodeDevices: NodeDevices;
  readonly events: Events;

  constructor(
    /** The URI this handle was opened with. */
    readonly requestedUri: string,
    /** The connection: an RpcClient, or a ReconnectingClient with `reconnect`. */
    readonly rpc: RpcCaller,
    hub: EventHub,
    private readonly closer: () => Promise<void>,
    nodeDeviceHub: NodeDeviceEventHub = new NodeDeviceEventHub(),
  ) {
    this.domains = new Domains(rpc);
    this.pools = new StoragePools(rpc);
    this.volumes = new StorageVolumes(rpc);
    this.networks = new Networks(rpc);
    this.nodeDevices = new NodeDevices(rpc);
    this.events = new Events(hub, nodeDeviceHub);
  }

  /** Whether the daemon can be called now (a reconnecting handle is false between a drop and a redial). */
  get connected(): boolean {
    return this.rpc.connected;
  }

  /**
   * Sends the calls made so far at once instead of at the end of this tick: call it before synchronous
   * work (reading local files) that the daemon's answers should overlap.
   */
  flush(): void {
    this.rpc.flush();
  }

  async hostname(): Promise<string> {
    return (await this.rpc.call(Proc.ConnectGetHostname, undefined)).hostname;
  }

  async libVersion(): Promise<Version> {
    return versionFromNumber((await this.rpc.call(Proc.ConnectGetLibVersion, undefined)).libVer);
  }

  async hypervisorVersion(): Promise<Version> {
    return versionFromNumber((await this.rpc.call(Proc.ConnectGetVersion, undefined)).hvVer);
  }

  /** The URI the daemon says this connection uses (CONNECT_GET_URI). */
  async uri(): Promise<string> {
    return (await this.rpc.call(Proc.ConnectGetUri, undefined)).uri;
  }

  /** The driver name, e.g. "QEMU". */
  async type(): Promise<string> {
    return (await this.rpc.call(Proc.ConnectGetType, undefined)).type;
  }

  async capabilities(): Promise<string> {
    return (await this.rpc.call(Proc.ConnectGetCapabilities, undefined)).capabilities;
  }

  async domainCapabilities(q: DomainCapabilitiesQuery = {}): Promise<string> {
    const r = await this.rpc.call(Proc.ConnectGetDomainCapabilities, {
      emulatorbin: q.emulatorbin ?? null,
      arch: q.arch ?? null,
      machine: q.machine ?? null,
      virttype: q.virttype ?? null,
      flags: q.flags ?? 0,
    });
    return r.capabilities;
  }

  async nodeInfo(): Promise<NodeInfo> {
    const r = await this.rpc.call(Proc.NodeGetInfo, undefined);
    const end = r.model.indexOf(0);
    const model = String.fromCharCode(...(end < 0 ? r.model : r.model.slice(0, end)).map((c) => c & 0xff));
    return {
      model,
      memoryKiB: r.memory,
      cpus: r.cpus,
      mhz: r.mhz,
      nodes: r.nodes,
      sockets: r.sockets,
      cores: r.cores,
      threads: r.threads,
    };
  }

  /** virNodeGetFreeMemory: the host's free memory in bytes (what the kernel reports free, as libvirt reads it). */
  async freeMemory(): Promise<bigint> {
    return (await this.rpc.call(Proc.NodeGetFreeMemory, undefined)).freeMem;
  }

  /** CONNECT_SUPPORTS_FEATURE; see `Feature`. */
  async supportsFeature(feature: number): Promise<boolean> {
    return (await this.rpc.call(Proc.ConnectSupportsFeature, { feature })).supported !== 0;
  }

  /** virConnectGetAllDomainStats: `stats` from StatsTypes, `flags` from ListDomainsFlags. */
  async allDomainStats(stats = 0, flags = 0, domains: Domain[] = []): Promise<DomainStatsRecord[]> {
    const r = await this.rpc.call(Proc.ConnectGetAllDomainStats, {
      doms: domains.map((d) => d.ref),
      stats,
      flags,
    });
    return r.retStats.map((s) => new DomainStatsRecord(this.rpc, s.dom, s.params));
  }

  async close(): Promise<void> {
    await this.closer();
  }
}

export class Events {
  constructor(
    readonly hub: EventHub,
    readonly nodeDeviceHub: NodeDeviceEventHub,
  ) {}

  /** Host devices appearing and going away (CREATED/DELETED; DEFINED/UNDEFINED for mediated devices). */
  nodeDeviceLifecycle(): Promise<EventSubscription<NodeDeviceLifecycleEvent>> {
    return this.nodeDeviceHub.subscribe();
  }

  subscribe<K extends DomainEventKind>(
    kind: K,
    opts: SubscribeOptions = {},
  ): Promise<EventSubscription<EventOf<K>>> {
    return this.hub.subscribe(kind, opts);
  }

  lifecycle(opts: SubscribeOptions = {}): Promise<EventSubscription<EventOf<'lifecycle'>>> {
    return this.hub.subscribe('lifecycle', opts);
  }
}

export { DOMAIN_STATES };
