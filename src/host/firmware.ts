import {
  findFirmware,
  loadFirmwareDescriptors,
  userFirmwareDir,
  type FirmwareDescriptor,
} from './firmware-descriptors.js';
import type { RootFs } from './root-fs.js';

export type { FirmwareDescriptor };

export interface FirmwareFacts {
  descriptors: FirmwareDescriptor[];
  /** The first UEFI firmware for x86_64 q35 machines whose executable is installed, by descriptor order. */
  uefi: FirmwareDescriptor | null;
  /** The first such one with `secure-boot` (and with `enrolled-keys` for `secureBootEnrolled`). */
  secureBoot: FirmwareDescriptor | null;
  secureBootEnrolled: FirmwareDescriptor | null;
  /** Descriptors that could not be parsed, with the reason. */
  unreadable: string[];
}

/** A q35 machine name the descriptors' globs (`pc-q35-*`) are matched against. */
const Q35 = 'pc-q35-7.2';

export function probeFirmware(fs: RootFs, env: NodeJS.ProcessEnv = process.env): FirmwareFacts {
  const unreadable: string[] = [];
  const descriptors = loadFirmwareDescriptors(fs.root, userFirmwareDir(fs.root, env), (path, reason) =>
    unreadable.push(`${path}: ${reason}`),
  );
  const installed = descriptors.filter(
    (d) => d.executable !== undefined && fs.exists(d.executable.replace(/^\//, '')),
  );
  const uefi = (features: string[]) =>
    findFirmware(installed, { arch: 'x86_64', machine: Q35, interface: 'uefi', features }) ?? null;
  return {
    descriptors,
    uefi: uefi([]),
    secureBoot: uefi(['secure-boot']),
    secureBootEnrolled: uefi(['secure-boot', 'enrolled-keys']),
    unreadable,
  };
}
