import { valueOr } from './fact.js';
import type { RootFs } from './root-fs.js';

export interface HostTpm {
  present: boolean;
  /** 1 or 2 (TPM 1.2 / 2.0). */
  versionMajor: number | null;
}

export function probeHostTpm(fs: RootFs): HostTpm {
  const tpms = fs.entries('sys/class/tpm').filter((t) => /^tpm\d+$/.test(t));
  const first = tpms[0];
  return {
    present: first !== undefined,
    versionMajor: first ? valueOr(fs.int(`sys/class/tpm/${first}/tpm_version_major`), null) : null,
  };
}
