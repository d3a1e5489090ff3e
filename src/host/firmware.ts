import type { RootFs } from './root-fs.js';

export interface FirmwareDescriptor {
  /** File name (`40-edk2-x86_64-secure-enrolled.json`). */
  file: string;
  /** Where it was read from. */
  path: string;
  interfaceTypes: string[];
  executable: string | null;
  nvramTemplate: string | null;
  /** Whether the executable exists below the root. */
  executablePresent: boolean;
  architectures: string[];
  machines: string[];
  features: string[];
}

export interface FirmwareFacts {
  descriptors: FirmwareDescriptor[];
  /** The first UEFI firmware for x86_64 q35 machines, by descriptor order. */
  uefi: FirmwareDescriptor | null;
  /** The first one with `secure-boot` (and `enrolled-keys` when `enrolled` is set). */
  secureBoot: FirmwareDescriptor | null;
  secureBootEnrolled: FirmwareDescriptor | null;
  /** Descriptors that could not be parsed, with the reason. */
  unreadable: string[];
}

/** QEMU firmware descriptor directories, lowest priority first (a later one overrides a same-named file). */
export const FIRMWARE_DIRS = ['usr/share/qemu/firmware', 'etc/qemu/firmware'];

type Json = Record<string, unknown>;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** Parses one descriptor; throws on JSON it cannot understand (the caller records the reason). */
export function parseDescriptor(
  text: string,
  file: string,
  path: string,
  exists: (p: string) => boolean,
): FirmwareDescriptor {
  const d = obj(JSON.parse(text));
  const mapping = obj(d.mapping);
  const executable = obj(mapping.executable).filename;
  const nvram = obj(mapping['nvram-template']).filename;
  const targets = Array.isArray(d.targets) ? d.targets.map(obj) : [];
  const exe = typeof executable === 'string' ? executable : null;
  return {
    file,
    path,
    interfaceTypes: strings(d['interface-types']),
    executable: exe,
    nvramTemplate: typeof nvram === 'string' ? nvram : null,
    executablePresent: exe !== null && exists(exe),
    architectures: targets.map((t) => t.architecture).filter((a): a is string => typeof a === 'string'),
    machines: targets.flatMap((t) => strings(t.machines)),
    features: strings(d.features),
  };
}

function globMatch(glob: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return re.test(name);
}

function forQ35(d: FirmwareDescriptor): boolean {
  return (
    d.interfaceTypes.includes('uefi') &&
    d.architectures.includes('x86_64') &&
    d.machines.some((m) => globMatch(m, 'pc-q35-7.2')) &&
    d.executablePresent
  );
}

export function probeFirmware(fs: RootFs): FirmwareFacts {
  const chosen = new Map<string, { dir: string; text: string }>();
  for (const dir of FIRMWARE_DIRS)
    for (const file of fs.entries(dir).filter((f) => f.endsWith('.json'))) {
      const t = fs.text(`${dir}/${file}`);
      chosen.set(file, { dir, text: t.known ? t.value : '' });
    }
  const descriptors: FirmwareDescriptor[] = [];
  const unreadable: string[] = [];
  for (const file of [...chosen.keys()].sort()) {
    const { dir, text } = chosen.get(file)!;
    if (text.trim() === '') continue; // an empty file hides a descriptor of the same name
    try {
      descriptors.push(
        parseDescriptor(text, file, `/${dir}/${file}`, (p) => fs.exists(p.replace(/^\//, ''))),
      );
    } catch (err) {
      unreadable.push(`/${dir}/${file}: ${(err as Error).message}`);
    }
  }
  const uefi = descriptors.filter(forQ35);
  return {
    descriptors,
    uefi: uefi[0] ?? null,
    secureBoot: uefi.find((d) => d.features.includes('secure-boot')) ?? null,
    secureBootEnrolled:
      uefi.find((d) => d.features.includes('secure-boot') && d.features.includes('enrolled-keys')) ?? null,
    unreadable,
  };
}
