import type { CommandContext } from '../command.js';
import {
  parseCount,
  validateName,
  validateStrings,
  type DisplayKind,
  type ModelOptions,
} from '../../model/options.js';
import { parseDiskMiB, parseMemoryKiB } from '../../model/size.js';
import { InvalidInputError } from '../../errors.js';

/** The flags shared by `os explain` and `vm create`. */
export const modelFlags = {
  memory: { type: 'string' },
  vcpus: { type: 'string' },
  'disk-size': { type: 'string' },
  'disk-image': { type: 'string' },
  iso: { type: 'string' },
  drivers: { type: 'string' },
  kernel: { type: 'string' },
  initrd: { type: 'string' },
  cmdline: { type: 'string' },
  display: { type: 'string' },
  network: { type: 'string' },
  session: { type: 'boolean' },
  migratable: { type: 'boolean' },
  'serial-log': { type: 'string' },
} as const;

const DISPLAYS: DisplayKind[] = ['spice', 'vnc', 'none'];

/**
 * Reads the shared flags into model options. The name, sizes and counts are checked here already
 * (the model checks them again), so bad input fails before libvirt is contacted or KVM is tested.
 */
export function modelOptionsFrom(ctx: CommandContext, name: string, os: string): ModelOptions {
  const v = ctx.values;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const opts: ModelOptions = { name, os };
  const map: [keyof ModelOptions, string][] = [
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
  for (const [key, flag] of map) {
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
  if (v.session === true) opts.session = true;
  if (v.migratable === true) opts.migratable = true;
  if ((opts.initrd || opts.cmdline) && !opts.kernel)
    throw new InvalidInputError('--initrd and --cmdline need --kernel', {
      hint: 'Add --kernel PATH for direct kernel boot.',
    });
  validateName(opts.name);
  validateStrings(opts);
  if (opts.memory !== undefined) parseMemoryKiB(opts.memory);
  if (opts.diskSize !== undefined && opts.diskSize !== 'none') parseDiskMiB(opts.diskSize);
  if (opts.vcpus !== undefined) parseCount('--vcpus', opts.vcpus);
  return opts;
}
