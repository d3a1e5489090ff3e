import type { DiskBus } from '../../catalog/profile.js';
import { mibText } from '../size.js';
import type { DiskSpec } from '../spec.js';
import { InvalidOptionError } from '../errors.js';
import { hostLabel } from '../host-facts.js';
import type { Decision, ModelContext } from './context.js';

/** Where new disk images go: the default storage pool of the system or session daemon. */
export const SYSTEM_IMAGE_DIR = '/var/lib/libvirt/images';
/** Below the user's home directory for session VMs. */
export const SESSION_IMAGE_SUBDIR = '.local/share/libvirt/images';

const PREFIX: Record<DiskBus, string> = { virtio: 'vd', sata: 'sd', ide: 'hd' };

function targetName(bus: DiskBus, index: number): string {
  return PREFIX[bus] + String.fromCharCode('a'.charCodeAt(0) + index);
}

/**
 * The bus for the system disk: virtio-blk when the guest can drive it, else what it installs on.
 * Also asked by `vm upgrade-devices` for a guest whose virtio drivers are installed since.
 */
export function decideDiskBus(
  ctx: Pick<ModelContext, 'profile' | 'guest' | 'virtioDisk'> & {
    options: Pick<ModelContext['options'], 'drivers'>;
  },
): Decision<DiskBus> {
  const { profile, guest, options } = ctx;
  if (ctx.virtioDisk && profile.disk.virtio === 'virtio')
    return {
      choice: 'virtio',
      reason: options.drivers
        ? 'virtio-blk: the virtio-win driver disk is attached for the installer'
        : `virtio-blk: the fastest disk path, ${guest.virtioReason}`,
    };
  if (profile.virtioDrivers === 'driver-disk')
    return {
      choice: profile.disk.fallback,
      reason: `${profile.disk.fallback.toUpperCase()}: ${guest.name} has no inbox virtio driver; pass --drivers virtio-win.iso for virtio-blk, or switch later with \`phyllo vm upgrade-devices\` once the drivers are installed in the guest`,
    };
  const bus = ctx.virtioDisk ? profile.disk.virtio : profile.disk.fallback;
  return {
    choice: bus,
    reason: `${bus.toUpperCase()}: ${profile.virtioDrivers === 'none' ? `${guest.name} has no virtio block driver` : guest.virtioReason}`,
  };
}

/**
 * Where a new image goes: the system daemon's image directory, or the session user's. On a remote
 * host a session user's home is unknown, so its session daemon's `default` pool must say where.
 */
function newImageDir(ctx: ModelContext): string {
  const { host, options } = ctx;
  if (host.remoteHost === undefined || !options.session) return options.imageDir;
  const pool = host.storagePools?.find((p) => p.name === 'default' && p.path !== undefined);
  if (pool?.path) return pool.path;
  throw new InvalidOptionError(
    `A new disk for a session VM on ${host.remoteHost} needs its session daemon's "default" storage pool there: the user's home directory is unknown on ${host.remoteHost}`,
    `Define that pool on ${host.remoteHost} (virsh pool-define-as default dir --target ~/.local/share/libvirt/images, then pool-build, pool-start), or pass --disk-image POOL/VOLUME or --disk-size none.`,
  );
}

/** The system disk (new qcow2 or an existing image) plus install media, each with a target name. */
export function decideDisks(
  ctx: ModelContext,
  bus: DiskBus,
  diskMiB: number | undefined,
): Decision<DiskSpec[]> {
  const { options, profile } = ctx;
  const disks: DiskSpec[] = [];
  const why: string[] = [];
  const counters: Record<DiskBus, number> = { virtio: 0, sata: 0, ide: 0 };
  const next = (b: DiskBus): string => targetName(b, counters[b]++);
  if (options.diskImage || diskMiB !== undefined) {
    const imageDir = options.diskImage ? options.imageDir : newImageDir(ctx);
    const source = options.diskImage ?? `${imageDir}/${options.name}.qcow2`;
    const format = options.diskImage && !options.diskImage.endsWith('.qcow2') ? 'raw' : 'qcow2';
    disks.push({
      device: 'disk',
      bus,
      target: next(bus),
      source,
      format,
      cache: 'none',
      io: 'native',
      discard: 'unmap',
      extra: [],
    });
    why.push(
      options.diskImage
        ? `the existing image ${options.diskImage}`
        : `a new ${mibText(diskMiB ?? 0)} qcow2 image (created when the VM is defined)`,
      'cache=none + io=native (no double caching), discard=unmap (trim frees host space)',
    );
    const pool = ctx.host.storagePools?.find((p) => p.path === imageDir);
    if (!options.diskImage && diskMiB !== undefined && pool && pool.availableBytes < diskMiB * 1024 ** 2)
      ctx.warnings.push(
        `The ${pool.name} pool on ${hostLabel(ctx.host)} has ${mibText(Math.floor(pool.availableBytes / 1024 ** 2))} free, less than the ${mibText(diskMiB)} disk can grow to`,
      );
  } else why.push('no system disk');
  const mediaBus: DiskBus = profile.machine === 'pc' ? 'ide' : 'sata';
  for (const [what, path] of [
    ['install ISO', options.iso],
    ['driver ISO', options.drivers],
  ] as const) {
    if (!path) continue;
    disks.push({
      device: 'cdrom',
      bus: mediaBus,
      target: next(mediaBus),
      source: path,
      format: 'raw',
      readonly: true,
      extra: [],
    });
    why.push(`the ${what} on a ${mediaBus.toUpperCase()} CD-ROM`);
  }
  return { choice: disks, reason: why.join('; ') };
}
