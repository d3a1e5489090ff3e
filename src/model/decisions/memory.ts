import { MemoryAboveHostError, MemoryBelowMinimumError } from '../errors.js';
import { hostLabel } from '../host-facts.js';
import { kibText } from '../size.js';
import type { Decision, ModelContext } from './context.js';

const MIN_HOST_RESERVE_MIB = 2048;
const HOST_RESERVE_FRACTION = 0.25;

/** What the host keeps for itself: a quarter of its memory, at least 2 GiB. */
export function hostReserveMiB(hostMiB: number): number {
  return Math.max(MIN_HOST_RESERVE_MIB, Math.round(hostMiB * HOST_RESERVE_FRACTION));
}

/**
 * The recommended amount (in KiB), trimmed so the host keeps enough; never below the OS minimum.
 * A warning when it is more than the host has free right now.
 */
export function decideMemory(ctx: ModelContext): Decision<number> {
  const d = decideAmount(ctx);
  const free = ctx.host.availableMemoryKiB;
  if (free !== undefined && d.choice > free)
    ctx.warnings.push(
      `${kibText(d.choice)} is more than ${hostLabel(ctx.host)} has free now (${kibText(free)}): the guest may not start`,
    );
  return d;
}

/**
 * The rule for an amount the user asks for (`vm create --memory`, `vm set --memory`): at least the
 * OS minimum, at most the host's memory (typed errors), a warning when the host keeps less than its
 * reserve. Returns the reason.
 */
export function checkAskedMemory(
  kib: number,
  guest: { name: string; minimum: { memoryMiB: number } },
  hostMemoryKiB: number,
  warnings: string[],
): string {
  const hostMiB = Math.floor(hostMemoryKiB / 1024);
  const usable = Math.max(0, hostMiB - hostReserveMiB(hostMiB));
  const min = guest.minimum.memoryMiB;
  const m = kibText(kib);
  if (kib < min * 1024) throw new MemoryBelowMinimumError(guest.name, m, min);
  if (kib > hostMiB * 1024) throw new MemoryAboveHostError(m, hostMiB);
  if (kib > usable * 1024) warnings.push(`${m} leaves the host less than ${hostReserveMiB(hostMiB)} MiB`);
  return `${m} as asked (${guest.name} needs at least ${min} MiB)`;
}

function decideAmount(ctx: ModelContext): Decision<number> {
  const { guest, host, options } = ctx;
  const hostMiB = Math.floor(host.memoryKiB / 1024);
  const usable = Math.max(0, hostMiB - hostReserveMiB(hostMiB));
  const min = guest.minimum.memoryMiB;
  if (options.memoryKiB !== undefined) {
    const kib = options.memoryKiB;
    return { choice: kib, reason: checkAskedMemory(kib, guest, host.memoryKiB, ctx.warnings) };
  }
  const rec = guest.recommended.memoryMiB;
  if (rec <= usable)
    return {
      choice: rec * 1024,
      reason: `${rec} MiB: recommended for ${guest.name} (${guest.resourcesReason})`,
    };
  if (min <= usable)
    return {
      choice: usable * 1024,
      reason: `${usable} MiB: ${guest.name} recommends ${rec} MiB, but the host keeps ${hostReserveMiB(hostMiB)} of its ${hostMiB} MiB`,
    };
  if (min > hostMiB) throw new MemoryAboveHostError(`${min} MiB`, hostMiB);
  ctx.warnings.push(
    `${guest.name}'s minimum of ${min} MiB leaves the host less than ${hostReserveMiB(hostMiB)} MiB`,
  );
  return {
    choice: min * 1024,
    reason: `${min} MiB: the minimum for ${guest.name}; the host is short of memory`,
  };
}
