/**
 * OVF allocation units (DSP0004 programmatic units) as a byte multiplier: `byte * 2^20` (VMware),
 * `MegaBytes` (VirtualBox), `byte`, `KiloBytes`, `GigaBytes`, `byte * 1024^3`, `byte * 10^6`. An empty
 * or missing unit is a byte (the default of `ovf:capacityAllocationUnits`).
 */

const NAMED: Record<string, number> = {
  byte: 1,
  bytes: 1,
  kilobytes: 2 ** 10,
  kb: 2 ** 10,
  megabytes: 2 ** 20,
  mb: 2 ** 20,
  gigabytes: 2 ** 30,
  gb: 2 ** 30,
  terabytes: 2 ** 40,
  tb: 2 ** 40,
};

/** Bytes per unit, or undefined for a unit that is not a size in bytes. */
export function unitBytes(units: string | undefined): number | undefined {
  const u = (units ?? '').replace(/\s+/g, '').toLowerCase();
  if (u === '') return 1;
  if (u in NAMED) return NAMED[u];
  const m = /^bytes?((?:\*\d+\^\d+)+)$/.exec(u);
  if (!m) return undefined;
  let factor = 1;
  for (const [, base, exp] of m[1]!.matchAll(/\*(\d+)\^(\d+)/g)) factor *= Number(base) ** Number(exp);
  return Number.isSafeInteger(factor) ? factor : undefined;
}
