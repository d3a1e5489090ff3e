import { InvalidInputError } from '../errors.js';
import { InvalidOptionError, InvalidVmNameError, UnsafeValueError } from './errors.js';
import { parseDiskMiB, parseMemoryKiB } from './size.js';

export type DisplayKind = 'spice' | 'vnc' | 'none';

/** What the user asked for; everything else is decided by the model. */
export interface ModelOptions {
  name: string;
  /** A profile id (`windows-11`) or an osinfo-db short id (`win11`). */
  os: string;
  /** `4G`, `4096M`, `4096` (MiB) or a number of MiB; see `parseMemoryKiB` (size.ts) for every form. */
  memory?: string | number;
  vcpus?: number | string;
  /** `64G`, `500GB`, `64` (GiB), or `none` for no disk; see `parseDiskMiB` (size.ts). */
  diskSize?: string | number;
  /** An existing disk image to use instead of a new one. */
  diskImage?: string;
  iso?: string;
  /** A virtio-win driver ISO (Windows). */
  drivers?: string;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  display?: DisplayKind;
  /** The libvirt network for system VMs (default `default`). */
  network?: string;
  session?: boolean;
  /** Prefer a CPU model that can migrate between different hosts. */
  migratable?: boolean;
  /** Also write the serial console to this file. */
  serialLog?: string;
  /**
   * The firmware an installed disk boots with (an imported appliance): it overrides the profile's,
   * since a disk partitioned for BIOS does not boot with UEFI, nor the other way round.
   */
  firmware?: FirmwareKind;
}

export type FirmwareKind = 'efi' | 'bios';
const FIRMWARES: readonly FirmwareKind[] = ['efi', 'bios'];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const UNSAFE_RE = /[<>&"'\u0000-\u001f\u007f]/;

/** Rejects names libvirt or a file system (disk and NVRAM files are named after the VM) would refuse. */
export function validateName(name: string): void {
  if (name === '') throw new InvalidVmNameError('The VM name is empty');
  if (UNSAFE_RE.test(name)) throw new UnsafeValueError('the VM name');
  if (!NAME_RE.test(name)) {
    const bad = [...name].find(
      (ch, i) => !/[A-Za-z0-9._+-]/.test(ch) || (i === 0 && !/[A-Za-z0-9]/.test(ch)),
    );
    throw new InvalidVmNameError(
      name.length > 63
        ? `The VM name is ${name.length} characters long; at most 63 are allowed`
        : `The VM name ${JSON.stringify(name)} contains ${bad === undefined ? 'a character' : JSON.stringify(bad)}, which is not allowed${bad && name.indexOf(bad) === 0 && /[._+-]/.test(bad) ? ' first' : ''}`,
    );
  }
}

/** Every string option must be free of XML-special and control characters. */
export function validateStrings(options: ModelOptions): void {
  for (const [k, v] of Object.entries(options))
    if (typeof v === 'string' && UNSAFE_RE.test(v)) throw new UnsafeValueError(`--${kebab(k)}`);
}

export function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export function parseCount(option: string, value: number | string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidOptionError(
      `${option} must be a whole number of at least 1, not ${JSON.stringify(value)}`,
      `e.g. ${option} 2`,
    );
  return n;
}

const DISPLAYS: readonly DisplayKind[] = ['spice', 'vnc', 'none'];

/** Flag (option) name → ModelOptions key, for the string options `os explain` and `vm create` share. */
const STRING_FLAGS: readonly [keyof ModelOptions, string][] = [
  ['memory', 'memory'],
  ['vcpus', 'vcpus'],
  ['diskSize', 'disk-size'],
  ['diskImage', 'disk-image'],
  ['iso', 'iso'],
  ['drivers', 'drivers'],
  ['kernel', 'kernel'],
  ['initrd', 'initrd'],
  ['cmdline', 'cmdline'],
  ['network', 'network'],
  ['serialLog', 'serial-log'],
];

/**
 * Model options from option values keyed by flag name (`disk-size`, as the CLI parses them and as
 * `vm create` records them in the VM's metadata), checked with `checkModelOptions`.
 */
export function modelOptionsFromFlags(
  values: Record<string, unknown>,
  name: string,
  os: string,
): ModelOptions {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const opts: ModelOptions = { name, os };
  for (const [key, flag] of STRING_FLAGS) {
    const s = str(flag);
    if (s !== undefined) (opts as unknown as Record<string, string>)[key] = s;
  }
  const display = str('display');
  if (display !== undefined) {
    if (!DISPLAYS.includes(display as DisplayKind))
      throw new InvalidInputError(`--display must be one of ${DISPLAYS.join(', ')}`, {
        hint: 'e.g. --display vnc',
      });
    opts.display = display as DisplayKind;
  }
  const firmware = str('firmware');
  if (firmware !== undefined) {
    if (!FIRMWARES.includes(firmware as FirmwareKind))
      throw new InvalidInputError(`The firmware must be one of ${FIRMWARES.join(', ')}`, {
        hint: 'e.g. firmware efi',
      });
    opts.firmware = firmware as FirmwareKind;
  }
  if (values.session === true) opts.session = true;
  if (values.migratable === true) opts.migratable = true;
  checkModelOptions(opts);
  return opts;
}

/**
 * Checks options before anything is contacted: the name, the strings, the sizes and counts, and that
 * `initrd`/`cmdline` come with `kernel` (the model checks them again), so bad input fails before
 * libvirt is contacted or KVM is tested.
 */
export function checkModelOptions(opts: ModelOptions): void {
  if ((opts.initrd || opts.cmdline) && !opts.kernel)
    throw new InvalidInputError('--initrd and --cmdline need --kernel', {
      hint: 'Add --kernel PATH for direct kernel boot.',
    });
  validateName(opts.name);
  validateStrings(opts);
  if (opts.memory !== undefined) parseMemoryKiB(opts.memory);
  if (opts.diskSize !== undefined && opts.diskSize !== 'none') parseDiskMiB(opts.diskSize);
  if (opts.vcpus !== undefined) parseCount('--vcpus', opts.vcpus);
}
