/**
 * The typed procedure table. Names follow libvirt's REMOTE_PROC_* mechanically
 * (REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME → `DomainLookupByName`), so libvirt's documentation of
 * virDomainLookupByName explains each entry. Layouts are written from the documented protocol.
 */
import { Program } from './packet.js';
import { xtypedParams } from './typed-params.js';
import {
  type Codec,
  xarray,
  xfixedArray,
  xint,
  xopaque,
  xoptional,
  xstruct,
  xuhyper,
  xuint,
  xvoid,
} from './xdr.js';
import {
  xdomain,
  xname,
  xnetwork,
  xnodeDevice,
  xodomain,
  xostring,
  xpool,
  xsnapshot,
  xuuid,
  xvol,
} from './types.js';

export type StreamDirection = 'read' | 'write' | 'both';

export interface ProcedureDef<A, R> {
  /** Mechanical name from REMOTE_PROC_*. */
  name: string;
  prog: number;
  num: number;
  args: Codec<A>;
  ret: Codec<R>;
  /** Set when the call is followed by stream packets on the same serial. */
  stream?: StreamDirection;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArgsOf<P> = P extends ProcedureDef<infer A, any> ? A : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RetOf<P> = P extends ProcedureDef<any, infer R> ? R : never;

function remote<A, R>(
  name: string,
  num: number,
  args: Codec<A>,
  ret: Codec<R>,
  stream?: StreamDirection,
): ProcedureDef<A, R> {
  return stream === undefined
    ? { name, prog: Program.REMOTE, num, args, ret }
    : { name, prog: Program.REMOTE, num, args, ret, stream };
}

const LIST_MAX = 65536;
const xflags = xuint;
const xs = xstruct;
const dom = { dom: xdomain };
const domFlags = xs({ dom: xdomain, flags: xflags });
const pool = xs({ pool: xpool });
const poolFlags = xs({ pool: xpool, flags: xflags });
const vol = xs({ vol: xvol });
const volFlags = xs({ vol: xvol, flags: xflags });
const net = xs({ net: xnetwork });
const listArgs = xs({ needResults: xint, flags: xflags });
const nameArg = xs({ name: xname });
const xmlArg = xs({ xml: xname });
const xmlFlags = xs({ xml: xname, flags: xflags });
const xmlRet = xs({ xml: xname });
const domRet = xs({ dom: xdomain });
const poolRet = xs({ pool: xpool });
const volRet = xs({ vol: xvol });
const netRet = xs({ net: xnetwork });
function intRet<K extends string>(field: K): Codec<Record<K, number>> {
  return xs({ [field]: xint } as Record<K, Codec<number>>);
}

export const Proc = {
  // connection
  ConnectOpen: remote('ConnectOpen', 1, xs({ name: xostring, flags: xflags }), xvoid),
  ConnectClose: remote('ConnectClose', 2, xvoid, xvoid),
  ConnectGetType: remote('ConnectGetType', 3, xvoid, xs({ type: xname })),
  ConnectGetVersion: remote('ConnectGetVersion', 4, xvoid, xs({ hvVer: xuhyper })),
  NodeGetInfo: remote(
    'NodeGetInfo',
    6,
    xvoid,
    xs({
      model: xfixedArray(xint, 32),
      memory: xuhyper,
      cpus: xint,
      mhz: xint,
      nodes: xint,
      sockets: xint,
      cores: xint,
      threads: xint,
    }),
  ),
  NodeGetFreeMemory: remote('NodeGetFreeMemory', 102, xvoid, xs({ freeMem: xuhyper })),
  ConnectGetCapabilities: remote('ConnectGetCapabilities', 7, xvoid, xs({ capabilities: xname })),
  ConnectGetHostname: remote('ConnectGetHostname', 59, xvoid, xs({ hostname: xname })),
  ConnectSupportsFeature: remote(
    'ConnectSupportsFeature',
    60,
    xs({ feature: xint }),
    xs({ supported: xint }),
  ),
  AuthList: remote('AuthList', 66, xvoid, xs({ types: xarray(xint, 20) })),
  AuthPolkit: remote('AuthPolkit', 70, xvoid, xs({ complete: xint })),
  ConnectGetUri: remote('ConnectGetUri', 110, xvoid, xs({ uri: xname })),
  ConnectGetLibVersion: remote('ConnectGetLibVersion', 157, xvoid, xs({ libVer: xuhyper })),
  ConnectGetDomainCapabilities: remote(
    'ConnectGetDomainCapabilities',
    342,
    xs({ emulatorbin: xostring, arch: xostring, machine: xostring, virttype: xostring, flags: xflags }),
    xs({ capabilities: xname }),
  ),

  // domains
  DomainGetXmlDesc: remote('DomainGetXmlDesc', 14, domFlags, xmlRet),
  DomainGetAutostart: remote('DomainGetAutostart', 15, xs(dom), intRet('autostart')),
  DomainGetInfo: remote(
    'DomainGetInfo',
    16,
    xs(dom),
    xs({ state: xuint, maxMem: xuhyper, memory: xuhyper, nrVirtCpu: xuint, cpuTime: xuhyper }),
  ),
  DomainLookupById: remote('DomainLookupById', 22, xs({ id: xint }), domRet),
  DomainLookupByName: remote('DomainLookupByName', 23, nameArg, domRet),
  DomainLookupByUuid: remote('DomainLookupByUuid', 24, xs({ uuid: xuuid }), domRet),
  DomainReboot: remote('DomainReboot', 27, domFlags, xvoid),
  DomainResume: remote('DomainResume', 28, xs(dom), xvoid),
  DomainSetAutostart: remote('DomainSetAutostart', 29, xs({ dom: xdomain, autostart: xint }), xvoid),
  DomainSuspend: remote('DomainSuspend', 34, xs(dom), xvoid),
  DomainAttachDeviceFlags: remote(
    'DomainAttachDeviceFlags',
    160,
    xs({ dom: xdomain, xml: xname, flags: xflags }),
    xvoid,
  ),
  DomainDetachDeviceFlags: remote(
    'DomainDetachDeviceFlags',
    161,
    xs({ dom: xdomain, xml: xname, flags: xflags }),
    xvoid,
  ),
  DomainManagedSave: remote('DomainManagedSave', 182, domFlags, xvoid),
  DomainHasManagedSaveImage: remote('DomainHasManagedSaveImage', 183, domFlags, intRet('result')),
  DomainManagedSaveRemove: remote('DomainManagedSaveRemove', 184, domFlags, xvoid),
  DomainSnapshotCreateXml: remote(
    'DomainSnapshotCreateXml',
    185,
    xs({ dom: xdomain, xmlDesc: xname, flags: xflags }),
    xs({ snap: xsnapshot }),
  ),
  DomainSnapshotGetXmlDesc: remote(
    'DomainSnapshotGetXmlDesc',
    186,
    xs({ snap: xsnapshot, flags: xflags }),
    xmlRet,
  ),
  DomainSnapshotLookupByName: remote(
    'DomainSnapshotLookupByName',
    189,
    xs({ dom: xdomain, name: xname, flags: xflags }),
    xs({ snap: xsnapshot }),
  ),
  DomainRevertToSnapshot: remote(
    'DomainRevertToSnapshot',
    192,
    xs({ snap: xsnapshot, flags: xflags }),
    xvoid,
  ),
  DomainSnapshotDelete: remote('DomainSnapshotDelete', 193, xs({ snap: xsnapshot, flags: xflags }), xvoid),
  DomainCreateWithFlags: remote('DomainCreateWithFlags', 196, domFlags, domRet),
  DomainOpenConsole: remote(
    'DomainOpenConsole',
    201,
    xs({ dom: xdomain, devName: xostring, flags: xflags }),
    xvoid,
    'both',
  ),
  DomainScreenshot: remote(
    'DomainScreenshot',
    211,
    xs({ dom: xdomain, screen: xuint, flags: xflags }),
    xs({ mime: xostring }),
    'read',
  ),
  DomainGetState: remote('DomainGetState', 212, domFlags, xs({ state: xint, reason: xint })),
  DomainUndefineFlags: remote('DomainUndefineFlags', 231, domFlags, xvoid),
  DomainDestroyFlags: remote('DomainDestroyFlags', 234, domFlags, xvoid),
  DomainShutdownFlags: remote('DomainShutdownFlags', 258, domFlags, xvoid),
  DomainSetMetadata: remote(
    'DomainSetMetadata',
    264,
    xs({ dom: xdomain, type: xint, metadata: xostring, key: xostring, uri: xostring, flags: xflags }),
    xvoid,
  ),
  DomainGetMetadata: remote(
    'DomainGetMetadata',
    265,
    xs({ dom: xdomain, type: xint, uri: xostring, flags: xflags }),
    xs({ metadata: xname }),
  ),
  ConnectListAllDomains: remote(
    'ConnectListAllDomains',
    273,
    listArgs,
    xs({ domains: xarray(xdomain, LIST_MAX), ret: xuint }),
  ),
  DomainListAllSnapshots: remote(
    'DomainListAllSnapshots',
    274,
    xs({ dom: xdomain, needResults: xint, flags: xflags }),
    xs({ snapshots: xarray(xsnapshot, LIST_MAX), ret: xint }),
  ),
  DomainMigratePerform3Params: remote(
    'DomainMigratePerform3Params',
    305,
    xs({
      dom: xdomain,
      dconnuri: xostring,
      params: xtypedParams(64),
      cookieIn: xopaque(4194304),
      flags: xflags,
    }),
    xs({ cookieOut: xopaque(4194304) }),
  ),
  ConnectGetAllDomainStats: remote(
    'ConnectGetAllDomainStats',
    344,
    xs({ doms: xarray(xdomain, 16384), stats: xuint, flags: xflags }),
    xs({ retStats: xarray(xs({ dom: xdomain, params: xtypedParams(LIST_MAX) }), 16384) }),
  ),
  DomainDefineXmlFlags: remote('DomainDefineXmlFlags', 350, xmlFlags, domRet),
  DomainCreateXml: remote('DomainCreateXml', 10, xmlFlags, domRet),

  // events
  ConnectDomainEventCallbackRegisterAny: remote(
    'ConnectDomainEventCallbackRegisterAny',
    316,
    xs({ eventID: xint, dom: xodomain }),
    xs({ callbackID: xint }),
  ),
  ConnectDomainEventCallbackDeregisterAny: remote(
    'ConnectDomainEventCallbackDeregisterAny',
    317,
    xs({ callbackID: xint }),
    xvoid,
  ),

  // networks
  NetworkCreate: remote('NetworkCreate', 39, net, xvoid),
  NetworkCreateXml: remote('NetworkCreateXml', 40, xmlArg, netRet),
  NetworkDefineXml: remote('NetworkDefineXml', 41, xmlArg, netRet),
  NetworkDestroy: remote('NetworkDestroy', 42, net, xvoid),
  NetworkGetXmlDesc: remote('NetworkGetXmlDesc', 43, xs({ net: xnetwork, flags: xflags }), xmlRet),
  NetworkGetAutostart: remote('NetworkGetAutostart', 44, net, intRet('autostart')),
  NetworkLookupByName: remote('NetworkLookupByName', 46, nameArg, netRet),
  NetworkSetAutostart: remote('NetworkSetAutostart', 48, xs({ net: xnetwork, autostart: xint }), xvoid),
  NetworkUndefine: remote('NetworkUndefine', 49, net, xvoid),
  NetworkIsActive: remote('NetworkIsActive', 152, net, intRet('active')),
  ConnectListAllNetworks: remote(
    'ConnectListAllNetworks',
    283,
    listArgs,
    xs({ nets: xarray(xnetwork, LIST_MAX), ret: xuint }),
  ),

  // storage pools
  StoragePoolCreateXml: remote('StoragePoolCreateXml', 76, xmlFlags, poolRet),
  StoragePoolDefineXml: remote('StoragePoolDefineXml', 77, xmlFlags, poolRet),
  StoragePoolCreate: remote('StoragePoolCreate', 78, poolFlags, xvoid),
  StoragePoolBuild: remote('StoragePoolBuild', 79, poolFlags, xvoid),
  StoragePoolDestroy: remote('StoragePoolDestroy', 80, pool, xvoid),
  StoragePoolDelete: remote('StoragePoolDelete', 81, poolFlags, xvoid),
  StoragePoolUndefine: remote('StoragePoolUndefine', 82, pool, xvoid),
  StoragePoolRefresh: remote('StoragePoolRefresh', 83, poolFlags, xvoid),
  StoragePoolLookupByName: remote('StoragePoolLookupByName', 84, nameArg, poolRet),
  StoragePoolGetInfo: remote(
    'StoragePoolGetInfo',
    87,
    pool,
    xs({ state: xuint, capacity: xuhyper, allocation: xuhyper, available: xuhyper }),
  ),
  StoragePoolGetXmlDesc: remote('StoragePoolGetXmlDesc', 88, poolFlags, xmlRet),
  StoragePoolSetAutostart: remote('StoragePoolSetAutostart', 90, xs({ pool: xpool, autostart: xint }), xvoid),
  StoragePoolIsActive: remote('StoragePoolIsActive', 154, pool, intRet('active')),
  ConnectListAllStoragePools: remote(
    'ConnectListAllStoragePools',
    281,
    listArgs,
    xs({ pools: xarray(xpool, LIST_MAX), ret: xuint }),
  ),
  StoragePoolListAllVolumes: remote(
    'StoragePoolListAllVolumes',
    282,
    xs({ pool: xpool, needResults: xint, flags: xflags }),
    xs({ vols: xarray(xvol, LIST_MAX), ret: xuint }),
  ),

  // storage volumes
  StorageVolCreateXml: remote(
    'StorageVolCreateXml',
    93,
    xs({ pool: xpool, xml: xname, flags: xflags }),
    volRet,
  ),
  StorageVolDelete: remote('StorageVolDelete', 94, volFlags, xvoid),
  StorageVolLookupByName: remote('StorageVolLookupByName', 95, xs({ pool: xpool, name: xname }), volRet),
  StorageVolLookupByPath: remote('StorageVolLookupByPath', 97, xs({ path: xname }), volRet),
  StorageVolGetInfo: remote(
    'StorageVolGetInfo',
    98,
    vol,
    xs({ type: xint, capacity: xuhyper, allocation: xuhyper }),
  ),
  StorageVolGetXmlDesc: remote('StorageVolGetXmlDesc', 99, volFlags, xmlRet),
  StorageVolGetPath: remote('StorageVolGetPath', 100, vol, xs({ name: xname })),
  StorageVolCreateXmlFrom: remote(
    'StorageVolCreateXmlFrom',
    125,
    xs({ pool: xpool, xml: xname, clonevol: xvol, flags: xflags }),
    volRet,
  ),
  StorageVolWipe: remote('StorageVolWipe', 165, volFlags, xvoid),
  StorageVolUpload: remote(
    'StorageVolUpload',
    208,
    xs({ vol: xvol, offset: xuhyper, length: xuhyper, flags: xflags }),
    xvoid,
    'write',
  ),
  StorageVolDownload: remote(
    'StorageVolDownload',
    209,
    xs({ vol: xvol, offset: xuhyper, length: xuhyper, flags: xflags }),
    xvoid,
    'read',
  ),

  // node devices
  NodeDeviceLookupByName: remote('NodeDeviceLookupByName', 113, nameArg, xs({ dev: xnodeDevice })),
  NodeDeviceGetXmlDesc: remote('NodeDeviceGetXmlDesc', 114, xs({ name: xname, flags: xflags }), xmlRet),
  ConnectListAllNodeDevices: remote(
    'ConnectListAllNodeDevices',
    285,
    listArgs,
    xs({ devices: xarray(xnodeDevice, LIST_MAX), ret: xuint }),
  ),
  /** Creates a transient virtual device (a mediated device from its parent and type). */
  NodeDeviceCreateXml: remote(
    'NodeDeviceCreateXml',
    123,
    xs({ xmlDesc: xname, flags: xflags }),
    xs({ dev: xnodeDevice }),
  ),
  NodeDeviceDestroy: remote('NodeDeviceDestroy', 124, nameArg, xvoid),
  ConnectNodeDeviceEventRegisterAny: remote(
    'ConnectNodeDeviceEventRegisterAny',
    374,
    xs({ eventID: xint, dev: xoptional(xnodeDevice) }),
    xs({ callbackID: xint }),
  ),
  ConnectNodeDeviceEventDeregisterAny: remote(
    'ConnectNodeDeviceEventDeregisterAny',
    375,
    xs({ callbackID: xint }),
    xvoid,
  ),
  // changing a defined domain (vm set, vm media)
  DomainUpdateDeviceFlags: remote(
    'DomainUpdateDeviceFlags',
    174,
    xs({ dom: xdomain, xml: xname, flags: xflags }),
    xvoid,
  ),
  DomainSetVcpusFlags: remote(
    'DomainSetVcpusFlags',
    199,
    xs({ dom: xdomain, nvcpus: xuint, flags: xflags }),
    xvoid,
  ),
  DomainGetVcpusFlags: remote('DomainGetVcpusFlags', 200, domFlags, intRet('num')),
  DomainSetMemoryFlags: remote(
    'DomainSetMemoryFlags',
    204,
    xs({ dom: xdomain, memory: xuhyper, flags: xflags }),
    xvoid,
  ),
} as const;

export type ProcName = keyof typeof Proc;

/** Event messages (type MESSAGE) the client decodes, by procedure number. */
export const EventProc = {
  DomainEventCallbackLifecycle: 318,
  DomainEventCallbackReboot: 319,
  DomainEventCallbackDiskChange: 327,
  DomainEventCallbackTrayChange: 328,
  DomainEventCallbackDeviceRemoved: 333,
  DomainEventCallbackDeviceAdded: 354,
  NodeDeviceEventLifecycle: 376,
} as const;

/** CONNECT_SUPPORTS_FEATURE numbers (VIR_DRV_FEATURE_*). */
export const Feature = {
  MIGRATION_P2P: 4,
  FD_PASSING: 8,
  TYPED_PARAM_STRING: 9,
  PROGRAM_KEEPALIVE: 10,
  MIGRATION_PARAMS: 13,
  REMOTE_EVENT_CALLBACK: 14,
  REMOTE_CLOSE_CALLBACK: 15,
} as const;

/** remote_auth_type */
export const AuthType = { NONE: 0, SASL: 1, POLKIT: 2 } as const;
