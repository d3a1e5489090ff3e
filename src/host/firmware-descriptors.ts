import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One QEMU firmware descriptor (docs/interop/firmware.json in QEMU), reduced to what the model needs. */
export interface FirmwareDescriptor {
  /** File name, e.g. `40-edk2-x86_64-secure-enrolled.json`. */
  file: string;
  interfaceTypes: string[];
  device: string;
  mode?: string;
  executable?: string;
  nvramTemplate?: string;
  targets: { architecture: string; machines: string[] }[];
  features: string[];
}

/** The directories searched, lowest priority first; a later one overrides a same-named file. */
export const FIRMWARE_DIRS = ['usr/share/qemu/firmware', 'etc/qemu/firmware'] as const;

interface RawDescriptor {
  'interface-types'?: unknown;
  mapping?: {
    device?: unknown;
    mode?: unknown;
    executable?: { filename?: unknown };
    'nvram-template'?: { filename?: unknown };
  };
  targets?: { architecture?: unknown; machines?: unknown }[];
  features?: unknown;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Parses one descriptor's JSON; undefined when it is empty (a mask) or not a descriptor. */
export function parseFirmwareDescriptor(file: string, json: string): FirmwareDescriptor | undefined {
  if (json.trim() === '') return undefined;
  let raw: RawDescriptor;
  try {
    raw = JSON.parse(json) as RawDescriptor;
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || !raw.mapping) return undefined;
  const d: FirmwareDescriptor = {
    file,
    interfaceTypes: strings(raw['interface-types']),
    device: str(raw.mapping.device) ?? 'flash',
    targets: (Array.isArray(raw.targets) ? raw.targets : []).map((t) => ({
      architecture: str(t.architecture) ?? '',
      machines: strings(t.machines),
    })),
    features: strings(raw.features),
  };
  const mode = str(raw.mapping.mode);
  const exe = str(raw.mapping.executable?.filename);
  const nvram = str(raw.mapping['nvram-template']?.filename);
  if (mode) d.mode = mode;
  if (exe) d.executable = exe;
  if (nvram) d.nvramTemplate = nvram;
  return d;
}

/**
 * The user's own descriptors (`$XDG_CONFIG_HOME/qemu/firmware`, else `~/.config/qemu/firmware`) come
 * last, as QEMU reads them; only for the live host, never for a fixture tree.
 */
export function userFirmwareDir(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (root !== '/') return [];
  const config = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : undefined);
  return config ? [`${config.replace(/^\/+/, '')}/qemu/firmware`] : [];
}

/**
 * Reads the descriptors below `root`: sorted by file name, a later directory overriding a same-named
 * file, an empty file hiding one. `extraDirs` are absolute-under-root paths searched last
 * (e.g. `$XDG_CONFIG_HOME/qemu/firmware`). A file that is not a descriptor is skipped and, when
 * `onUnreadable` is given, reported with its path below the root.
 */
export function loadFirmwareDescriptors(
  root = '/',
  extraDirs: string[] = [],
  onUnreadable?: (path: string, reason: string) => void,
): FirmwareDescriptor[] {
  const byName = new Map<string, string>();
  for (const dir of [...FIRMWARE_DIRS, ...extraDirs]) {
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.json')) byName.set(n, `/${dir.replace(/^\/+/, '')}/${n}`);
  }
  const out: FirmwareDescriptor[] = [];
  for (const name of [...byName.keys()].sort()) {
    const path = byName.get(name) as string;
    let text: string;
    try {
      text = readFileSync(join(root, path), 'utf8');
    } catch (err) {
      onUnreadable?.(path, (err as NodeJS.ErrnoException).code ?? String(err));
      continue;
    }
    if (text.trim() === '') continue; // an empty file hides a descriptor of the same name
    const d = parseFirmwareDescriptor(name, text);
    if (d) out.push(d);
    else onUnreadable?.(path, 'not a QEMU firmware descriptor (bad JSON or no mapping)');
  }
  return out;
}

function globMatch(glob: string, value: string): boolean {
  const re = new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return re.test(value);
}

/** The first descriptor (in priority order) for `arch`/`machine` having every wanted feature. */
export function findFirmware(
  descriptors: FirmwareDescriptor[],
  want: { arch: string; machine: string; interface: 'uefi' | 'bios'; features: string[]; without?: string[] },
): FirmwareDescriptor | undefined {
  return descriptors.find(
    (d) =>
      d.interfaceTypes.includes(want.interface) &&
      d.targets.some(
        (t) => t.architecture === want.arch && t.machines.some((m) => globMatch(m, want.machine)),
      ) &&
      want.features.every((f) => d.features.includes(f)) &&
      !(want.without ?? []).some((f) => d.features.includes(f)),
  );
}
