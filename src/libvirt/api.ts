/**
 * The small high-level API: `connect()` returns a `Libvirt` with object handles (Domain,
 * StoragePool, StorageVolume, Network, NodeDevice) whose methods map one-to-one to libvirt calls.
 */
import type { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type DebugHook, type RpcCaller, RpcClient } from './client.js';
import { dialerFor } from './connect.js';
import type { Dialer } from './dialers/dialer.js';
import {
  EventHub,
  type DomainEventKind,
  type EventOf,
  type EventSubscription,
  type SubscribeOptions,
} from './events.js';
import {
  DOMAIN_STATES,
  type DomainState,
  domainStateName,
  POOL_STATES,
  type PoolState,
  VOLUME_TYPES,
  type VolumeType,
} from './flags.js';
import { Proc } from './procedures.js';
import { type ReconnectOptions, ReconnectingClient } from './reconnecting.js';
import { type TypedParam, typedParamsToRecord, type TypedParamValue } from './typed-params.js';
import {
  type DomainRef,
  isUuid,
  type NetworkRef,
  type SnapshotRef,
  type StoragePoolRef,
  type StorageVolRef,
  uuidFromString,
  uuidToString,
} from './types.js';
import { defaultUri, parseUri } from './uri.js';

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
export class DomainStatsRecord {
  private dom: Domain | undefined;
  private record: Record<string, TypedParamValue> | undefined;

  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: DomainRef,
    readonly params: TypedParam[],
  ) {}

  get domain(): Domain {
    return (this.dom ??= new Domain(this.rpc, this.ref));
  }

  /** The same params as a plain record. */
  get values(): Record<string, TypedParamValue> {
    return (this.record ??= typedParamsToRecord(this.params));
  }
}

/** Connect to libvirt. `uri` defaults to PHYLLO_CONNECT, else qemu:///system (root) or qemu:///session. */
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
    return new Libvirt(uri, rc, rc.events, () => rc.close());
  }
  const client = await RpcClient.connect(dialer, clientOpts);
  const hub = new EventHub();
  await hub.attach(client);
  return new Libvirt(uri, client, hub, async () => {
    hub.closeAll();
    await client.close();
  });
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
  ) {
    this.domains = new Domains(rpc);
    this.pools = new StoragePools(rpc);
    this.volumes = new StorageVolumes(rpc);
    this.networks = new Networks(rpc);
    this.nodeDevices = new NodeDevices(rpc);
    this.events = new Events(hub);
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
  constructor(readonly hub: EventHub) {}

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

// ---------- domains ----------

export class Domains {
  constructor(private readonly rpc: RpcCaller) {}

  /** virConnectListAllDomains; `flags` from ListDomainsFlags (0 = all). */
  async list(opts: { flags?: number } = {}): Promise<Domain[]> {
    const r = await this.rpc.call(Proc.ConnectListAllDomains, { needResults: 1, flags: opts.flags ?? 0 });
    return r.domains.map((d) => new Domain(this.rpc, d));
  }

  /** Every domain with its state, from one stats call. */
  async listWithState(
    opts: { flags?: number } = {},
  ): Promise<{ domain: Domain; state: DomainState; reason: number }[]> {
    const r = await this.rpc.call(Proc.ConnectGetAllDomainStats, {
      doms: [],
      stats: 1,
      flags: opts.flags ?? 0,
    });
    return r.retStats.map((s) => {
      const v = typedParamsToRecord(s.params);
      return {
        domain: new Domain(this.rpc, s.dom),
        state: domainStateName(Number(v['state.state'] ?? 0)),
        reason: Number(v['state.reason'] ?? 0),
      };
    });
  }

  async define(xml: string, flags = 0): Promise<Domain> {
    return new Domain(this.rpc, (await this.rpc.call(Proc.DomainDefineXmlFlags, { xml, flags })).dom);
  }

  /** By name, or by UUID when the text is one. */
  async lookup(nameOrUuid: string): Promise<Domain> {
    if (isUuid(nameOrUuid)) {
      return new Domain(
        this.rpc,
        (await this.rpc.call(Proc.DomainLookupByUuid, { uuid: uuidFromString(nameOrUuid) })).dom,
      );
    }
    return new Domain(this.rpc, (await this.rpc.call(Proc.DomainLookupByName, { name: nameOrUuid })).dom);
  }

  async lookupById(id: number): Promise<Domain> {
    return new Domain(this.rpc, (await this.rpc.call(Proc.DomainLookupById, { id })).dom);
  }
}

export interface DomainInfo {
  state: DomainState;
  maxMemKiB: bigint;
  memoryKiB: bigint;
  vcpus: number;
  cpuTimeNs: bigint;
}

export class Domain {
  readonly snapshots: Snapshots;

  constructor(
    private readonly rpc: RpcCaller,
    public ref: DomainRef,
  ) {
    this.snapshots = new Snapshots(rpc, this);
  }

  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return uuidToString(this.ref.uuid);
  }
  /** -1 when inactive (as of the last call that returned it). */
  get id(): number {
    return this.ref.id;
  }

  async start(flags = 0): Promise<void> {
    this.ref = (await this.rpc.call(Proc.DomainCreateWithFlags, { dom: this.ref, flags })).dom;
  }
  async shutdown(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainShutdownFlags, { dom: this.ref, flags });
  }
  async destroy(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainDestroyFlags, { dom: this.ref, flags });
  }
  async reboot(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainReboot, { dom: this.ref, flags });
  }
  async suspend(): Promise<void> {
    await this.rpc.call(Proc.DomainSuspend, { dom: this.ref });
  }
  async resume(): Promise<void> {
    await this.rpc.call(Proc.DomainResume, { dom: this.ref });
  }
  async state(): Promise<{ state: DomainState; reason: number }> {
    const r = await this.rpc.call(Proc.DomainGetState, { dom: this.ref, flags: 0 });
    return { state: domainStateName(r.state), reason: r.reason };
  }
  async info(): Promise<DomainInfo> {
    const r = await this.rpc.call(Proc.DomainGetInfo, { dom: this.ref });
    return {
      state: domainStateName(r.state),
      maxMemKiB: r.maxMem,
      memoryKiB: r.memory,
      vcpus: r.nrVirtCpu,
      cpuTimeNs: r.cpuTime,
    };
  }
  /** `flags` from DomainXmlFlags. */
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.DomainGetXmlDesc, { dom: this.ref, flags })).xml;
  }
  /** `flags` from UndefineFlags. */
  async undefine(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainUndefineFlags, { dom: this.ref, flags });
  }
  /** `flags` from ModifyFlags. */
  async attachDevice(xml: string, flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainAttachDeviceFlags, { dom: this.ref, xml, flags });
  }
  async detachDevice(xml: string, flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainDetachDeviceFlags, { dom: this.ref, xml, flags });
  }
  async managedSave(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainManagedSave, { dom: this.ref, flags });
  }
  async hasManagedSaveImage(): Promise<boolean> {
    return (await this.rpc.call(Proc.DomainHasManagedSaveImage, { dom: this.ref, flags: 0 })).result !== 0;
  }
  async managedSaveRemove(): Promise<void> {
    await this.rpc.call(Proc.DomainManagedSaveRemove, { dom: this.ref, flags: 0 });
  }
  async autostart(): Promise<boolean> {
    return (await this.rpc.call(Proc.DomainGetAutostart, { dom: this.ref })).autostart !== 0;
  }
  async setAutostart(on: boolean): Promise<void> {
    await this.rpc.call(Proc.DomainSetAutostart, { dom: this.ref, autostart: on ? 1 : 0 });
  }
  /** `type` from MetadataType; `uri` is the namespace for ELEMENT metadata. */
  async metadata(type: number, uri: string | null = null, flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.DomainGetMetadata, { dom: this.ref, type, uri, flags })).metadata;
  }
  async setMetadata(
    type: number,
    metadata: string | null,
    opts: { key?: string; uri?: string; flags?: number } = {},
  ): Promise<void> {
    await this.rpc.call(Proc.DomainSetMetadata, {
      dom: this.ref,
      type,
      metadata,
      key: opts.key ?? null,
      uri: opts.uri ?? null,
      flags: opts.flags ?? 0,
    });
  }
  /** The display's current image (PPM for QEMU) as a stream. */
  async screenshot(screen = 0): Promise<{ mime: string | null; stream: Readable }> {
    const { ret, stream } = await this.rpc.openStream(Proc.DomainScreenshot, {
      dom: this.ref,
      screen,
      flags: 0,
    });
    return { mime: ret.mime, stream };
  }
  /** A bidirectional byte stream to the console (`devName` null = the first). `flags` from ConsoleFlags. */
  async openConsole(devName: string | null = null, flags = 0): Promise<Duplex> {
    const { stream } = await this.rpc.openStream(Proc.DomainOpenConsole, { dom: this.ref, devName, flags });
    return stream;
  }
  /** Peer-to-peer migration driven by this (source) daemon; `flags` from MigrateFlags. */
  async migrateToUri(dconnuri: string, params: TypedParam[], flags: number): Promise<void> {
    await this.rpc.call(Proc.DomainMigratePerform3Params, {
      dom: this.ref,
      dconnuri,
      params,
      cookieIn: Buffer.alloc(0),
      flags,
    });
  }
}

export class Snapshots {
  constructor(
    private readonly rpc: RpcCaller,
    private readonly dom: Domain,
  ) {}

  async create(xml: string, flags = 0): Promise<Snapshot> {
    const r = await this.rpc.call(Proc.DomainSnapshotCreateXml, { dom: this.dom.ref, xmlDesc: xml, flags });
    return new Snapshot(this.rpc, r.snap);
  }
  async list(flags = 0): Promise<Snapshot[]> {
    const r = await this.rpc.call(Proc.DomainListAllSnapshots, { dom: this.dom.ref, needResults: 1, flags });
    return r.snapshots.map((s) => new Snapshot(this.rpc, s));
  }
  async lookup(name: string): Promise<Snapshot> {
    const r = await this.rpc.call(Proc.DomainSnapshotLookupByName, { dom: this.dom.ref, name, flags: 0 });
    return new Snapshot(this.rpc, r.snap);
  }
}

export class Snapshot {
  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: SnapshotRef,
  ) {}
  get name(): string {
    return this.ref.name;
  }
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.DomainSnapshotGetXmlDesc, { snap: this.ref, flags })).xml;
  }
  async revert(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainRevertToSnapshot, { snap: this.ref, flags });
  }
  async delete(flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainSnapshotDelete, { snap: this.ref, flags });
  }
}

// ---------- storage ----------

export class StoragePools {
  constructor(private readonly rpc: RpcCaller) {}
  async list(flags = 0): Promise<StoragePool[]> {
    const r = await this.rpc.call(Proc.ConnectListAllStoragePools, { needResults: 1, flags });
    return r.pools.map((p) => new StoragePool(this.rpc, p));
  }
  async lookup(name: string): Promise<StoragePool> {
    return new StoragePool(this.rpc, (await this.rpc.call(Proc.StoragePoolLookupByName, { name })).pool);
  }
  async define(xml: string, flags = 0): Promise<StoragePool> {
    return new StoragePool(this.rpc, (await this.rpc.call(Proc.StoragePoolDefineXml, { xml, flags })).pool);
  }
  /** A transient pool, started at once and gone once destroyed. */
  async create(xml: string, flags = 0): Promise<StoragePool> {
    return new StoragePool(this.rpc, (await this.rpc.call(Proc.StoragePoolCreateXml, { xml, flags })).pool);
  }
}

export interface PoolInfo {
  state: PoolState;
  capacity: bigint;
  allocation: bigint;
  available: bigint;
}

export class StoragePool {
  readonly volumes: PoolVolumes;
  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: StoragePoolRef,
  ) {
    this.volumes = new PoolVolumes(rpc, ref);
  }
  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return uuidToString(this.ref.uuid);
  }
  /** virStoragePoolCreate: activate the pool. */
  async start(flags = 0): Promise<void> {
    await this.rpc.call(Proc.StoragePoolCreate, { pool: this.ref, flags });
  }
  async build(flags = 0): Promise<void> {
    await this.rpc.call(Proc.StoragePoolBuild, { pool: this.ref, flags });
  }
  async destroy(): Promise<void> {
    await this.rpc.call(Proc.StoragePoolDestroy, { pool: this.ref });
  }
  /** Delete the pool's underlying storage (virStoragePoolDelete). */
  async delete(flags = 0): Promise<void> {
    await this.rpc.call(Proc.StoragePoolDelete, { pool: this.ref, flags });
  }
  async undefine(): Promise<void> {
    await this.rpc.call(Proc.StoragePoolUndefine, { pool: this.ref });
  }
  async refresh(): Promise<void> {
    await this.rpc.call(Proc.StoragePoolRefresh, { pool: this.ref, flags: 0 });
  }
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.StoragePoolGetXmlDesc, { pool: this.ref, flags })).xml;
  }
  async info(): Promise<PoolInfo> {
    const r = await this.rpc.call(Proc.StoragePoolGetInfo, { pool: this.ref });
    return {
      state: POOL_STATES[r.state] ?? 'unknown',
      capacity: r.capacity,
      allocation: r.allocation,
      available: r.available,
    };
  }
  async isActive(): Promise<boolean> {
    return (await this.rpc.call(Proc.StoragePoolIsActive, { pool: this.ref })).active !== 0;
  }
  async setAutostart(on: boolean): Promise<void> {
    await this.rpc.call(Proc.StoragePoolSetAutostart, { pool: this.ref, autostart: on ? 1 : 0 });
  }
}

export class PoolVolumes {
  constructor(
    private readonly rpc: RpcCaller,
    private readonly pool: StoragePoolRef,
  ) {}
  async list(): Promise<StorageVolume[]> {
    const r = await this.rpc.call(Proc.StoragePoolListAllVolumes, {
      pool: this.pool,
      needResults: 1,
      flags: 0,
    });
    return r.vols.map((v) => new StorageVolume(this.rpc, v));
  }
  async lookup(name: string): Promise<StorageVolume> {
    return new StorageVolume(
      this.rpc,
      (await this.rpc.call(Proc.StorageVolLookupByName, { pool: this.pool, name })).vol,
    );
  }
  async create(xml: string, flags = 0): Promise<StorageVolume> {
    return new StorageVolume(
      this.rpc,
      (await this.rpc.call(Proc.StorageVolCreateXml, { pool: this.pool, xml, flags })).vol,
    );
  }
  /** Create a volume whose contents are cloned from `from`. */
  async createFrom(xml: string, from: StorageVolume, flags = 0): Promise<StorageVolume> {
    const r = await this.rpc.call(Proc.StorageVolCreateXmlFrom, {
      pool: this.pool,
      xml,
      clonevol: from.ref,
      flags,
    });
    return new StorageVolume(this.rpc, r.vol);
  }
}

export class StorageVolumes {
  constructor(private readonly rpc: RpcCaller) {}
  async lookupByPath(path: string): Promise<StorageVolume> {
    return new StorageVolume(this.rpc, (await this.rpc.call(Proc.StorageVolLookupByPath, { path })).vol);
  }
}

export interface VolumeInfo {
  type: VolumeType;
  capacity: bigint;
  allocation: bigint;
}

export interface TransferRange {
  offset?: bigint | number;
  /** 0 = to the end. */
  length?: bigint | number;
  flags?: number;
}

export class StorageVolume {
  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: StorageVolRef,
  ) {}
  get name(): string {
    return this.ref.name;
  }
  get key(): string {
    return this.ref.key;
  }
  get poolName(): string {
    return this.ref.pool;
  }
  async path(): Promise<string> {
    return (await this.rpc.call(Proc.StorageVolGetPath, { vol: this.ref })).name;
  }
  async info(): Promise<VolumeInfo> {
    const r = await this.rpc.call(Proc.StorageVolGetInfo, { vol: this.ref });
    return { type: VOLUME_TYPES[r.type] ?? 'unknown', capacity: r.capacity, allocation: r.allocation };
  }
  async xml(): Promise<string> {
    return (await this.rpc.call(Proc.StorageVolGetXmlDesc, { vol: this.ref, flags: 0 })).xml;
  }
  async delete(flags = 0): Promise<void> {
    await this.rpc.call(Proc.StorageVolDelete, { vol: this.ref, flags });
  }
  async wipe(flags = 0): Promise<void> {
    await this.rpc.call(Proc.StorageVolWipe, { vol: this.ref, flags });
  }
  /** Write `source` into the volume; resolves once the daemon confirmed the data is stored. */
  async upload(source: Readable, range: TransferRange = {}): Promise<void> {
    const { stream } = await this.rpc.openStream(Proc.StorageVolUpload, {
      vol: this.ref,
      offset: BigInt(range.offset ?? 0),
      length: BigInt(range.length ?? 0),
      flags: range.flags ?? 0,
    });
    await pipeline(source, stream);
  }
  /** The volume's bytes as a stream. */
  async download(range: TransferRange = {}): Promise<Readable> {
    const { stream } = await this.rpc.openStream(Proc.StorageVolDownload, {
      vol: this.ref,
      offset: BigInt(range.offset ?? 0),
      length: BigInt(range.length ?? 0),
      flags: range.flags ?? 0,
    });
    return stream;
  }
}

// ---------- networks ----------

export class Networks {
  constructor(private readonly rpc: RpcCaller) {}
  async list(flags = 0): Promise<Network[]> {
    const r = await this.rpc.call(Proc.ConnectListAllNetworks, { needResults: 1, flags });
    return r.nets.map((n) => new Network(this.rpc, n));
  }
  async lookup(name: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkLookupByName, { name })).net);
  }
  async define(xml: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkDefineXml, { xml })).net);
  }
  /** A transient network, started at once and gone once destroyed. */
  async create(xml: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkCreateXml, { xml })).net);
  }
}

export class Network {
  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: NetworkRef,
  ) {}
  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return uuidToString(this.ref.uuid);
  }
  async start(): Promise<void> {
    await this.rpc.call(Proc.NetworkCreate, { net: this.ref });
  }
  async destroy(): Promise<void> {
    await this.rpc.call(Proc.NetworkDestroy, { net: this.ref });
  }
  async undefine(): Promise<void> {
    await this.rpc.call(Proc.NetworkUndefine, { net: this.ref });
  }
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.NetworkGetXmlDesc, { net: this.ref, flags })).xml;
  }
  async isActive(): Promise<boolean> {
    return (await this.rpc.call(Proc.NetworkIsActive, { net: this.ref })).active !== 0;
  }
  async autostart(): Promise<boolean> {
    return (await this.rpc.call(Proc.NetworkGetAutostart, { net: this.ref })).autostart !== 0;
  }
  async setAutostart(on: boolean): Promise<void> {
    await this.rpc.call(Proc.NetworkSetAutostart, { net: this.ref, autostart: on ? 1 : 0 });
  }
}

// ---------- node devices ----------

export class NodeDevices {
  constructor(private readonly rpc: RpcCaller) {}
  async list(flags = 0): Promise<NodeDevice[]> {
    const r = await this.rpc.call(Proc.ConnectListAllNodeDevices, { needResults: 1, flags });
    return r.devices.map((d) => new NodeDevice(this.rpc, d.name));
  }
}

export class NodeDevice {
  constructor(
    private readonly rpc: RpcCaller,
    readonly name: string,
  ) {}
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.NodeDeviceGetXmlDesc, { name: this.name, flags })).xml;
  }
}

export { DOMAIN_STATES };
