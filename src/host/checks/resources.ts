import type { HostFacts } from '../probe.js';
import { IMAGES_DIR } from '../storage.js';
import { check, type Check } from './types.js';

const GIB = 1024 ** 3;

/** Phyllome's minimums and recommendations (from the Phyllome OS host requirements). */
export const MINIMUM = { cores: 2, memoryGiB: 4, imagesGiB: 10 } as const;
export const RECOMMENDED = { cores: 4, memoryGiB: 16, imagesGiB: 250 } as const;
/**
 * Firmware and the kernel reserve part of the RAM: a "4 GB" machine shows about 3.8 GiB as MemTotal.
 * Memory minimums are met at this share of the nominal size.
 */
export const MEMORY_RESERVED_SHARE = 0.9;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

export function hostCores(h: HostFacts): Check {
  const id = 'host.cores';
  if (!h.cpu.known) return check(id, 'warn', 'CPU count unknown', h.cpu.reason);
  const { threads, cores } = h.cpu.value;
  const detail = `${cores} cores, ${threads} threads`;
  if (threads < MINIMUM.cores)
    return check(
      id,
      'fail',
      `${threads} CPU thread: Phyllome needs at least ${MINIMUM.cores}`,
      detail,
      'Use a computer with at least 2 CPU cores.',
    );
  if (threads < RECOMMENDED.cores)
    return check(
      id,
      'warn',
      `${threads} CPU threads: enough for one small guest; ${RECOMMENDED.cores} or more recommended`,
      detail,
      'Give guests 1 vCPU each and keep one for the host.',
    );
  return check(id, 'pass', `${threads} CPU threads`, detail);
}

export function hostMemory(h: HostFacts): Check {
  const id = 'host.memory';
  if (!h.memory.known) return check(id, 'warn', 'Memory size unknown', h.memory.reason);
  const total = h.memory.value.totalBytes;
  const detail = `MemTotal ${gib(total)}${h.memory.value.availableBytes !== null ? `, ${gib(h.memory.value.availableBytes)} available now` : ''}`;
  if (total < MINIMUM.memoryGiB * GIB * MEMORY_RESERVED_SHARE)
    return check(
      id,
      'fail',
      `${gib(total)} of RAM: Phyllome needs at least ${MINIMUM.memoryGiB} GiB`,
      detail,
      'Add RAM.',
    );
  if (total < RECOMMENDED.memoryGiB * GIB * MEMORY_RESERVED_SHARE)
    return check(
      id,
      'warn',
      `${gib(total)} of RAM: enough for one small guest; ${RECOMMENDED.memoryGiB} GiB recommended`,
      detail,
      'Run one guest at a time, or add RAM.',
    );
  return check(id, 'pass', `${gib(total)} of RAM`, detail);
}

export function hostDisk(h: HostFacts): Check {
  const id = 'host.disk';
  const img = h.storage.images;
  if (!img.known) return check(id, 'warn', 'Free space for images unknown', img.reason);
  const free = img.value.freeBytes;
  const detail = `${gib(free)} free of ${gib(img.value.totalBytes)} on the file system holding ${img.value.path === IMAGES_DIR ? IMAGES_DIR : `${IMAGES_DIR} (measured at ${img.value.path})`}`;
  if (free < MINIMUM.imagesGiB * GIB)
    return check(
      id,
      'fail',
      `${gib(free)} free for VM images: at least ${MINIMUM.imagesGiB} GiB needed`,
      detail,
      `Free space on the file system holding ${IMAGES_DIR}, or add a disk.`,
    );
  if (free < RECOMMENDED.imagesGiB * GIB)
    return check(
      id,
      'warn',
      `${gib(free)} free for VM images: room for a few guests; ${RECOMMENDED.imagesGiB} GiB recommended`,
      detail,
      'Use thin (qcow2) disks and remove unused images.',
    );
  return check(id, 'pass', `${gib(free)} free for VM images`, detail);
}

export function memoryHugepages(h: HostFacts): Check {
  const id = 'memory.hugepages';
  if (!h.memory.known) return check(id, 'info', 'Huge pages unknown', h.memory.reason);
  const m = h.memory.value;
  const pools = m.hugePages.map(
    (p) =>
      `${p.sizeKiB >= 1048576 ? `${p.sizeKiB / 1048576} GiB` : `${p.sizeKiB / 1024} MiB`}: ${p.total} reserved, ${p.free} free`,
  );
  const gb = h.cpu.known && h.cpu.value.gigabytePages ? '1 GiB pages supported' : '1 GiB pages not supported';
  const detail = [`transparent huge pages: ${m.transparentHugePages ?? 'unknown'}`, gb, ...pools].join('; ');
  const reserved = m.hugePages.filter((p) => p.total > 0);
  if (reserved.length) return check(id, 'pass', 'Huge pages are reserved for guests', detail);
  return check(
    id,
    'info',
    `No huge pages reserved; transparent huge pages: ${m.transparentHugePages ?? 'unknown'}`,
    detail,
    'Optional: reserve huge pages for a latency-sensitive guest (`hugepages=N` on the kernel command line).',
  );
}
