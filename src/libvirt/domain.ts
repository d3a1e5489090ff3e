/** Domain handles: the domain list, one domain's lifecycle, consoles, screenshots, snapshots, stats records. */
import type { Duplex, Readable } from 'node:stream';
import type { RpcCaller } from './client.js';
import { type DomainState, domainStateName } from './flags.js';
import { Proc } from './procedures.js';
import { type TypedParam, typedParamsToRecord, type TypedParamValue } from './typed-params.js';
import { type DomainRef, isUuid, type SnapshotRef, uuidFromString, uuidToString } from './types.js';

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

  /** Starts a transient domain (gone when it stops); `flags` from CreateFlags. */
  async create(xml: string, flags = 0): Promise<Domain> {
    return new Domain(this.rpc, (await this.rpc.call(Proc.DomainCreateXml, { xml, flags })).dom);
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
    // Asked often (a list keys each VM by it): formatted once per reference.
    if (this.uuidOf !== this.ref.uuid) {
      this.uuidOf = this.ref.uuid;
      this.uuidText = uuidToString(this.ref.uuid);
    }
    return this.uuidText;
  }
  private uuidOf: Buffer | undefined;
  private uuidText = '';
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
  /** Changes a device in place (a CD-ROM's medium); `flags` from ModifyFlags. */
  async updateDevice(xml: string, flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainUpdateDeviceFlags, { dom: this.ref, xml, flags });
  }
  /** `memoryKiB` as the current (balloon) size, or the maximum with MemoryFlags.MAXIMUM. */
  async setMemory(memoryKiB: bigint, flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainSetMemoryFlags, { dom: this.ref, memory: memoryKiB, flags });
  }
  /** `flags` from VcpuFlags. */
  async setVcpus(count: number, flags = 0): Promise<void> {
    await this.rpc.call(Proc.DomainSetVcpusFlags, { dom: this.ref, nvcpus: count, flags });
  }
  /** `flags` from VcpuFlags: the live or configured count, or (MAXIMUM) the most it may have. */
  async vcpus(flags = 0): Promise<number> {
    return (await this.rpc.call(Proc.DomainGetVcpusFlags, { dom: this.ref, flags })).num;
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
