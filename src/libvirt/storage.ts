/** Storage handles: pools, their volumes, and volume upload/download streams. */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RpcCaller } from './client.js';
import {
  POOL_STATES,
  type PoolState,
  VOLUME_TYPES,
  VolDownloadFlags,
  VolUploadFlags,
  type VolumeType,
} from './flags.js';
import { Proc } from './procedures.js';
import { LibvirtError } from './errors.js';
import { sparseChunks } from './sparse-chunks.js';
import type { RpcStream, StreamChunk } from './streams.js';
import { type StoragePoolRef, type StorageVolRef, uuidToString } from './types.js';

/** libvirt's words when a pool cannot be refreshed because a volume stream or wipe runs in it. */
const POOL_BUSY = /has asynchronous jobs running/;
/** How long `refresh` waits for such jobs: an upload of a few GiB, on a slow disk. */
const REFRESH_WAIT_MS = 120_000;

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
  /**
   * virStoragePoolRefresh. libvirt refuses it while the pool has a volume upload, download or wipe
   * going ("pool 'default' has asynchronous jobs running"), which another client (or this server's
   * other job) may be doing at any time: that refusal is waited out, up to `waitMs`, then thrown.
   */
  async refresh(waitMs = REFRESH_WAIT_MS): Promise<void> {
    const until = Date.now() + waitMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        await this.rpc.call(Proc.StoragePoolRefresh, { pool: this.ref, flags: 0 });
        return;
      } catch (err) {
        if (!(err instanceof LibvirtError) || !POOL_BUSY.test(err.message) || Date.now() + delay > until)
          throw err;
        await sleep(delay);
      }
    }
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

export interface SparseTransfer {
  offset?: bigint | number;
  /** 0 = to the end. */
  length?: bigint | number;
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
  /**
   * Write `source` into the volume; resolves once the daemon confirmed the data is stored. Bytes already
   * in memory are written as they are: a pipeline from a Readable costs 2.7 ms the first time in a
   * process (Node loads and compiles its machinery), which is most of a small upload's time.
   */
  async upload(source: Readable | Buffer, range: TransferRange = {}): Promise<void> {
    const { stream } = await this.rpc.openStream(Proc.StorageVolUpload, {
      vol: this.ref,
      offset: BigInt(range.offset ?? 0),
      length: BigInt(range.length ?? 0),
      flags: range.flags ?? 0,
    });
    if (!Buffer.isBuffer(source)) return pipeline(source, stream);
    return writeAll(stream, [source]);
  }

  /**
   * Write `bytes` into the volume as a sparse stream: their long runs of zeros are sent as holes
   * (`sparseChunks`), which a file volume keeps unallocated. An empty qcow2 image is 192 KiB of which a
   * few hundred bytes are not zero: sending those alone saves the daemon and the socket the rest.
   */
  async uploadBytesSparse(bytes: Buffer, range: { offset?: bigint | number } = {}): Promise<void> {
    const stream = await this.uploadSparse({ ...range, length: bytes.length });
    return writeAll(stream, sparseChunks(bytes));
  }
  /**
   * The volume's bytes as an object-mode stream of `Buffer`s and `StreamHole`s (the SPARSE_STREAM
   * flag): the daemon skips the file's holes (SEEK_HOLE) and sends their lengths instead of zeros.
   */
  async downloadSparse(range: SparseTransfer = {}): Promise<RpcStream> {
    const { stream } = await this.rpc.openStream(
      Proc.StorageVolDownload,
      {
        vol: this.ref,
        offset: BigInt(range.offset ?? 0),
        length: BigInt(range.length ?? 0),
        flags: VolDownloadFlags.SPARSE_STREAM,
      },
      { sparse: true },
    );
    return stream;
  }

  /**
   * An object-mode stream to write `Buffer`s and `StreamHole`s into the volume (the SPARSE_STREAM
   * flag; holes become holes in a file volume, zeros on a block device). Ending it resolves once the
   * daemon confirmed the data is stored.
   */
  async uploadSparse(range: SparseTransfer = {}): Promise<RpcStream> {
    const { stream } = await this.rpc.openStream(
      Proc.StorageVolUpload,
      {
        vol: this.ref,
        offset: BigInt(range.offset ?? 0),
        length: BigInt(range.length ?? 0),
        flags: VolUploadFlags.SPARSE_STREAM,
      },
      { sparse: true },
    );
    return stream;
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

/** Writes `chunks` into `stream` and ends it; resolves once the daemon confirmed them (its `finish`). */
function writeAll(stream: RpcStream, chunks: StreamChunk[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    // Closed without finishing and without an error of its own (destroyed from elsewhere).
    stream.once('close', () => reject(new Error('the upload stream closed before the daemon confirmed it')));
    for (const c of chunks) stream.write(c);
    stream.end();
  });
}
