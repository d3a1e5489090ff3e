import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedOptions } from '../decisions/context.js';
import { SESSION_IMAGE_SUBDIR, SYSTEM_IMAGE_DIR } from '../decisions/disks.js';
import { kebab, parseCount, validateName, validateStrings, type ModelOptions } from '../options.js';
import { parseDiskMiB, parseMemoryKiB } from '../size.js';

export interface NormalizeDeps {
  homeDir?: string;
  /** Where a system VM's new disk image goes (default /var/lib/libvirt/images). */
  systemImageDir?: string;
}

const PASSED_THROUGH = [
  'diskImage',
  'iso',
  'drivers',
  'kernel',
  'initrd',
  'cmdline',
  'display',
  'network',
  'serialLog',
  'firmware',
] as const;

/** Checks the user's options (name, characters) and parses sizes and counts. */
export function normalizeOptions(options: ModelOptions, deps: NormalizeDeps): NormalizedOptions {
  validateName(options.name);
  validateStrings(options);
  // Paths are the caller's to check (src/machines/option-paths.ts): they name files on the VM's host.
  const session = options.session ?? false;
  const n: NormalizedOptions = {
    name: options.name,
    session,
    migratable: options.migratable ?? false,
    imageDir: session
      ? join(deps.homeDir ?? homedir(), SESSION_IMAGE_SUBDIR)
      : (deps.systemImageDir ?? SYSTEM_IMAGE_DIR),
  };
  if (options.memory !== undefined) n.memoryKiB = parseMemoryKiB(options.memory);
  if (options.vcpus !== undefined) n.vcpus = parseCount('--vcpus', options.vcpus);
  if (options.diskSize !== undefined)
    n.diskMiB = options.diskSize === 'none' ? 'none' : parseDiskMiB(options.diskSize);
  for (const k of PASSED_THROUGH) {
    const v = options[k];
    if (v !== undefined) (n as unknown as Record<string, unknown>)[k] = v;
  }
  return n;
}

/** The options as the user gave them (kebab-case names), kept in the VM's metadata. */
export function recordedOptions(options: ModelOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options))
    if (v !== undefined && k !== 'name' && k !== 'os') out[kebab(k)] = String(v);
  return out;
}
