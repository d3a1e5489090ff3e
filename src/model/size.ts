// No Node import here: the web UI's forms (web/src/vmpage/forms.ts) use this file as it is.
import { InvalidOptionError } from './errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Size units, case-insensitive: `B`; `K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB` are powers of 1024;
 * `KB`/`MB`/`GB`/`TB` are powers of 1000 (as disks are sold).
 */
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  k: KiB,
  kib: KiB,
  m: MiB,
  mib: MiB,
  g: 1024 * MiB,
  gib: 1024 * MiB,
  t: 1024 * 1024 * MiB,
  tib: 1024 * 1024 * MiB,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/** The unit a bare number (`--memory 4096`, `--disk-size 64`) is in. */
export type BareUnit = 'MiB' | 'GiB';

/** What the errors show as the accepted forms. */
export function sizeForms(bare: BareUnit): string {
  return (
    `a number with a unit, e.g. ${bare === 'MiB' ? '4G, 4096M, 1.5GiB' : '64G, 500GB, 1.5T'}: ` +
    'K/M/G/T (or KiB/MiB/GiB/TiB) are powers of 1024, KB/MB/GB/TB powers of 1000, B is bytes; ' +
    `a bare number is in ${bare}`
  );
}

const SIZE_RE = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$/i;

/** Parses a size (`4G`, `4 GiB`, `1.5t`, `500GB`, `4096B`) into bytes; a bare number is in `bare`. */
export function parseSizeBytes(option: string, value: string | number, bare: BareUnit): number {
  let bytes: number;
  if (typeof value === 'number') bytes = value * UNIT_BYTES[bare.toLowerCase()]!;
  else {
    const m = SIZE_RE.exec(value);
    const unit = m ? (m[2] ?? '').toLowerCase() || bare.toLowerCase() : undefined;
    const factor = unit === undefined ? undefined : UNIT_BYTES[unit];
    if (!m || factor === undefined)
      throw new InvalidOptionError(
        `${option} must be a size, not ${JSON.stringify(value)}`,
        `Use ${sizeForms(bare)}.`,
      );
    bytes = Number(m[1]) * factor;
  }
  if (!Number.isFinite(bytes) || bytes < 0 || bytes > Number.MAX_SAFE_INTEGER)
    throw new InvalidOptionError(
      `${option} must be a size between 1 MiB and 8 PiB, not ${JSON.stringify(value)}`,
      `Use ${sizeForms(bare)}.`,
    );
  return bytes;
}

function atLeastOneMiB(option: string, value: string | number, bytes: number, bare: BareUnit): void {
  if (bytes < MiB)
    throw new InvalidOptionError(
      `${option} must be at least 1 MiB; ${JSON.stringify(String(value))} is ${bytes} bytes`,
      `Use ${sizeForms(bare)}.`,
    );
}

/**
 * A memory size in bytes, as given: a bare number is MiB; below 1 MiB is an error (every guest's own
 * minimum is far above it and is checked later). The web UI checks its forms with it too.
 */
export function parseMemoryBytes(value: string | number, option = '--memory'): number {
  const bytes = parseSizeBytes(option, value, 'MiB');
  atLeastOneMiB(option, value, bytes, 'MiB');
  return bytes;
}

/** `--memory` (`parseMemoryBytes`); libvirt stores memory in KiB, so the size is rounded to the nearest KiB. */
export function parseMemoryKiB(value: string | number, option = '--memory'): number {
  return Math.round(parseMemoryBytes(value, option) / KiB);
}

/**
 * `--disk-size`: a bare number is GiB. Rounded up to whole MiB (a qcow2 image grows in clusters of
 * 64 KiB up to 2 MiB, so less than 1 MiB is no disk): below 1 MiB is an error.
 */
export function parseDiskMiB(value: string | number, option = '--disk-size'): number {
  const bytes = parseSizeBytes(option, value, 'GiB');
  atLeastOneMiB(option, value, bytes, 'GiB');
  return Math.ceil(bytes / MiB);
}

/** `4096 MiB` for whole MiB, else the exact KiB: `1572865 KiB`. */
export function kibText(kib: number): string {
  return kib % 1024 === 0 ? `${kib / 1024} MiB` : `${kib} KiB`;
}

/** `64 GiB` for whole GiB, else `1500 MiB`. */
export function mibText(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}
